package queue

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// Issue 11 item 8: the time left follows the binding limit's pace: 300
// jobs at 60 per minute with 2 left in this window take about 5 minutes,
// however fast the first window's burst went.
func TestPaceETA(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	st := budget.State{Known: true, Limit: 60, Remaining: 2, Window: time.Minute, EndHi: now.Add(10 * time.Second), Share: 1}
	for _, tc := range []struct {
		name   string
		st     func(budget.State) budget.State
		left   int
		perJob int64
		want   time.Duration
		ok     bool
	}{
		{"fits in this window", nil, 2, 1, 0, true},
		{"next window", nil, 3, 1, 10 * time.Second, true},
		{"242 jobs", nil, 242, 1, 10*time.Second + 3*time.Minute, true},
		{"points: 5 per job", func(s budget.State) budget.State { s.Limit, s.Remaining = 300, 10; return s }, 63, 5, 10*time.Second + time.Minute, true},
		{"half share", func(s budget.State) budget.State { s.Share = 0.5; return s }, 62, 1, 10*time.Second + time.Minute, true},
		{"embargo first", func(s budget.State) budget.State { s.Embargo = now.Add(30 * time.Second); return s }, 2, 1, 30 * time.Second, true},
		{"limit unknown", func(s budget.State) budget.State { s.Known = false; return s }, 10, 1, 0, false},
		{"quota runs out first", func(s budget.State) budget.State { s.QuotaKnown, s.QuotaRemaining = true, 5; return s }, 10, 1, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := st
			if tc.st != nil {
				s = tc.st(s)
			}
			got, ok := PaceETA(s, tc.left, tc.perJob, now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("PaceETA = %v, %t; want %v, %t", got, ok, tc.want, tc.ok)
			}
		})
	}
}
