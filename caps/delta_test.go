package caps

import (
	"testing"
	"time"
)

// A holder copies the shared usage, reserves and releases on its own, and
// hands the delta back to a shared usage that others changed meanwhile.
func TestDeltaCarriesWhatWasReservedAlone(t *testing.T) {
	c := Caps{DailyCredits: 100, MonthlyCredits: 1000, DailyJobs: 50, Zone: time.UTC}
	d1 := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	d2 := d1.Add(2 * time.Hour) // 1 Dec: a new day and month
	shared, before, _ := Reserve(Usage{}, c, 10, d1)
	shared, _, _ = Reserve(shared, c, 5, d1)
	base := shared

	tests := []struct {
		name   string
		alone  func(u Usage) Usage // what the holder does with its copy
		others func(u Usage) Usage // what the shared usage saw meanwhile
		want   Usage
	}{
		{"reservations add to the others'",
			func(u Usage) Usage { u, _, _ = Reserve(u, c, 3, d1); u, _, _ = Reserve(u, c, 4, d1); return u },
			func(u Usage) Usage { u, _, _ = Reserve(u, c, 20, d1); return u },
			Usage{Day: "2026-11-30", Month: "2026-11", DayCredits: 42, DayJobs: 5, MonthCredits: 42, BatchCredits: 42}},
		{"a release of a shared reservation is carried too",
			func(u Usage) Usage { u, _, _ = Reserve(u, c, 3, d1); return Release(u, before) },
			func(u Usage) Usage { return u },
			Usage{Day: "2026-11-30", Month: "2026-11", DayCredits: 8, DayJobs: 2, MonthCredits: 8, BatchCredits: 8}},
		{"the holder's day rolled over, the shared one not yet",
			func(u Usage) Usage { u, _, _ = Reserve(u, c, 3, d2); return u },
			func(u Usage) Usage { return u },
			Usage{Day: "2026-12-01", Month: "2026-12", DayCredits: 3, DayJobs: 1, MonthCredits: 3, BatchCredits: 18}},
		{"both rolled over: the new day sums",
			func(u Usage) Usage { u, _, _ = Reserve(u, c, 3, d2); return u },
			func(u Usage) Usage { u, _, _ = Reserve(u, c, 7, d2); return u },
			Usage{Day: "2026-12-01", Month: "2026-12", DayCredits: 10, DayJobs: 2, MonthCredits: 10, BatchCredits: 25}},
		{"the shared day moved on: the holder's old day is over",
			func(u Usage) Usage { u, _, _ = Reserve(u, c, 3, d1); return u },
			func(u Usage) Usage { u, _, _ = Reserve(u, c, 7, d2); return u },
			Usage{Day: "2026-12-01", Month: "2026-12", DayCredits: 7, DayJobs: 1, MonthCredits: 7, BatchCredits: 25}},
		{"nothing done alone changes nothing",
			func(u Usage) Usage { return u },
			func(u Usage) Usage { u, _, _ = Reserve(u, c, 7, d2); return u },
			Usage{Day: "2026-12-01", Month: "2026-12", DayCredits: 7, DayJobs: 1, MonthCredits: 7, BatchCredits: 22}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Since(base, tt.alone(base))
			if got := d.Apply(tt.others(shared)); got != tt.want {
				t.Errorf("got  %+v\nwant %+v (delta %+v)", got, tt.want, d)
			}
		})
	}
}
