package caps

import (
	"testing"
	"time"
)

// TestOverShare: a process deciding alone keeps, per cap, to the share of
// what the cap had left in the current period when it lost the store.
func TestOverShare(t *testing.T) {
	c := Caps{DailyCredits: 30, DailyJobs: 10, MonthlyCredits: 100, Zone: time.UTC}
	now := time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC)
	base := Usage{Day: "2026-11-29", Month: "2026-11", DayCredits: 12, DayJobs: 4, MonthCredits: 40}
	// reserve makes the reservations of prices on top of from, at the cap
	// itself (a share never lets a job pass the cap).
	reserve := func(from Usage, prices ...float64) Usage {
		for _, p := range prices {
			var reached *Reached
			if from, _, reached = Reserve(from, c, p, now); reached != nil {
				t.Fatalf("reserve %v: %v", p, reached)
			}
		}
		return from
	}
	cases := []struct {
		name   string
		base   Usage
		after  Usage
		peers  int
		price  float64
		want   Kind // "" for within the share
		share  float64
		shared float64 // ShareUsed
	}{
		{"within the credit share", base, reserve(base, 3, 3), 3, 3, "", 0, 0},
		{"past the credit share", base, reserve(base, 3, 3, 1), 3, 1, DailyCredits, 6, 6},
		{"a price over the share", base, reserve(base, 8), 3, 8, DailyCredits, 6, 0},
		{"alone: all that is left", base, reserve(base, 18), 1, 18, "", 0, 0},
		// 6 jobs left ÷ 4 = 1.5: one job each, not two.
		{"job share rounds down", base, reserve(base, 1, 1), 4, 1, DailyJobs, 1, 1},
		// 2 jobs left, 3 peers: no job each (a share of one each would pass the cap).
		{"no minimum of one job", Usage{Day: "2026-11-29", Month: "2026-11", DayJobs: 8}, reserve(Usage{Day: "2026-11-29", Month: "2026-11", DayJobs: 8}, 1), 3, 1, DailyJobs, 0, 0},
		// The day rolled since the base: the whole daily cap was left.
		{"a new day is shared afresh", Usage{Day: "2026-11-28", Month: "2026-11", DayCredits: 29, MonthCredits: 40}, reserve(Usage{Month: "2026-11", MonthCredits: 40}, 10), 3, 10, "", 0, 0},
		{"past a new day's share", Usage{Day: "2026-11-28", Month: "2026-11", DayCredits: 29, MonthCredits: 40}, reserve(Usage{Month: "2026-11", MonthCredits: 40}, 11), 3, 11, DailyCredits, 10, 0},
		{"the month's share", Usage{Day: "2026-11-29", Month: "2026-11", MonthCredits: 97}, reserve(Usage{Day: "2026-11-29", Month: "2026-11", MonthCredits: 97}, 2), 3, 2, MonthlyCredits, 1, 0},
		// A release of a reservation counted in the base frees room for this process.
		{"a release widens the share", base, reserve(Release(base, Reservation{Price: 5, Day: "2026-11-29", Month: "2026-11"}), 6, 4), 3, 4, "", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := OverShare(tc.base, tc.after, c, tc.peers, tc.price, now)
			if tc.want == "" {
				if r != nil {
					t.Fatalf("over the share: %+v, want within", r)
				}
				return
			}
			if r == nil {
				t.Fatalf("within the share, want over the %s share", tc.want)
			}
			if r.Kind != tc.want || !r.Shared || r.Never || r.Share != tc.share || r.ShareUsed != tc.shared || r.Price != tc.price {
				t.Fatalf("reached %+v, want %s, share %v, %v used, price %v, not never", r, tc.want, tc.share, tc.shared, tc.price)
			}
		})
	}
}

func TestShareMessage(t *testing.T) {
	r := Reached{Kind: DailyCredits, Cap: 30, Used: 12, Price: 8, Shared: true, Share: 6, ShareUsed: 0, Lifts: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Zone: time.UTC}
	want := "daily credit cap 30 · cap share while Redis is away: 6 here, 0 used, this job 8 · goes on when Redis is back"
	if got := r.Message(time.Time{}); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}
