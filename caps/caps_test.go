package caps

import (
	"testing"
	"time"
	_ "time/tzdata" // the DST test needs America/New_York on any machine
)

var utc3 = time.FixedZone("MSK", 3*3600)

func TestReserveAndRelease(t *testing.T) {
	c := Caps{DailyCredits: 500, DailyJobs: 3, MonthlyCredits: 1000, Zone: utc3}
	now := time.Date(2026, 11, 29, 20, 48, 0, 0, utc3)
	var u Usage
	var rs []Reservation
	for _, price := range []float64{200, 200, 100} {
		var r Reservation
		var reached *Reached
		u, r, reached = Reserve(u, c, price, now)
		if reached != nil {
			t.Fatalf("reserve %v: %v", price, reached.Message(now))
		}
		rs = append(rs, r)
	}
	if u.DayCredits != 500 || u.DayJobs != 3 || u.MonthCredits != 500 || u.Day != "2026-11-29" || u.Month != "2026-11" {
		t.Fatalf("usage = %+v", u)
	}
	// Both daily caps are reached; both lift at midnight.
	u2, _, reached := Reserve(u, c, 1, now)
	if reached == nil || u2 != u {
		t.Fatalf("a 4th job went through: %+v", u2)
	}
	if got, want := reached.Message(now), "daily credit cap 500 reached · lifts 00:00 MSK in 3h 12m"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	// A refund frees its price and its job.
	u = Release(u, rs[1])
	if u.DayCredits != 300 || u.DayJobs != 2 || u.MonthCredits != 300 {
		t.Fatalf("after release: %+v", u)
	}
	u, _, reached = Reserve(u, c, 150, now)
	if reached != nil || u.DayCredits != 450 {
		t.Fatalf("after release a 150 job is refused: %v", reached)
	}
}

func TestNextDayStartsAfresh(t *testing.T) {
	c := Caps{DailyCredits: 100, MonthlyCredits: 150, Zone: utc3}
	day1 := time.Date(2026, 11, 30, 23, 59, 0, 0, utc3)
	u, r, reached := Reserve(Usage{}, c, 100, day1)
	if reached != nil {
		t.Fatal(reached)
	}
	if _, _, reached = Reserve(u, c, 1, day1); reached == nil || reached.Kind != DailyCredits {
		t.Fatalf("daily cap not reached: %+v", reached)
	}
	// Midnight in MSK is a new day and a new month.
	dec1 := day1.Add(2 * time.Minute)
	u, _, reached = Reserve(u, c, 100, dec1)
	if reached != nil || u.DayCredits != 100 || u.MonthCredits != 100 || u.Month != "2026-12" {
		t.Fatalf("new day: %+v, %v", u, reached)
	}
	// Releasing yesterday's reservation does not touch today's counters.
	if got := Release(u, r); got.DayCredits != 100 || got.MonthCredits != 100 {
		t.Fatalf("yesterday's release changed today: %+v", got)
	}
	// The monthly cap lifts later than the daily one: it is the one shown.
	u, _, _ = Reserve(u, c, 0, dec1.Add(24*time.Hour))
	u.MonthCredits = 150
	_, _, reached = Reserve(u, c, 100, dec1.Add(24*time.Hour))
	if reached == nil || reached.Kind != MonthlyCredits {
		t.Fatalf("reached = %+v, want the monthly cap", reached)
	}
	if got, want := reached.Message(time.Time{}), "monthly credit cap 150 reached · lifts 1 Jan 00:00 MSK"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestDaylightSavingDay(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// 1 Nov 2026 is 25 hours long in New York.
	c := Caps{DailyJobs: 1, Zone: ny}
	now := time.Date(2026, 11, 1, 0, 30, 0, 0, ny)
	u, _, _ := Reserve(Usage{}, c, 0, now)
	_, _, reached := Reserve(u, c, 0, now)
	if reached == nil || reached.Lifts.Sub(now) != 24*time.Hour+30*time.Minute {
		t.Fatalf("lifts %v after now, want 24h30m (a 25-hour day)", reached.Lifts.Sub(now))
	}
}

func TestNeverAndBatch(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	_, _, reached := Reserve(Usage{}, Caps{DailyCredits: 5, Zone: time.UTC}, 10, now)
	if reached == nil || !reached.Never {
		t.Fatalf("a job above the cap: %+v", reached)
	}
	if got, want := reached.Message(now), "daily credit cap 5 is below this job's price 10: raise the cap"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	c := Caps{BatchCredits: 3, DailyCredits: 100, Zone: time.UTC}
	u, r, _ := Reserve(Usage{}, c, 2, now)
	_, _, reached = Reserve(u, c, 2, now)
	if reached == nil || reached.Kind != BatchCredits || !reached.Lifts.IsZero() {
		t.Fatalf("batch cap: %+v", reached)
	}
	if got, want := reached.Message(now), "batch credit cap 3 (--max-credits) reached · raise it to go on"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if u = Release(u, r); u.BatchCredits != 0 {
		t.Errorf("batch not released: %+v", u)
	}
}

func TestValidate(t *testing.T) {
	if err := (Caps{DailyCredits: -1}).Validate(); err == nil {
		t.Error("negative cap accepted")
	}
	if err := (Caps{DailyCredits: 500, DailyJobs: 10}).Validate(); err != nil {
		t.Error(err)
	}
	if !(Caps{}).None() || (Caps{DailyJobs: 1}).None() {
		t.Error("None is wrong")
	}
}

func TestCountdown(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 30 * time.Second: "30s", 45 * time.Minute: "45m",
		3*time.Hour + 12*time.Minute: "3h 12m", 52 * time.Hour: "2d 4h",
	} {
		if got := countdown(d); got != want {
			t.Errorf("countdown(%v) = %q, want %q", d, got, want)
		}
	}
}
