package statusline

import (
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	fresh := fullState() // observed at t0, 12/60 left until t0+42s
	short := fullState()
	short.Remaining = i64(6) // the reserve: a tenth of 60
	short.ObservedAt = t0.Add(-time.Minute)
	for _, tc := range []struct {
		name    string
		st      State
		ok      bool
		now     time.Time
		watched bool
		want    Decision
	}{
		{"fresh", fresh, true, t0.Add(30 * time.Second), false, Print},
		{"fresh though watched", fresh, true, t0.Add(30 * time.Second), true, Print},
		{"stale, a watch runs", fresh, true, t0.Add(2 * time.Minute), true, PrintWatched},
		{"stale, nothing yet, a watch runs", State{}, false, t0, true, PrintWatched},
		{"stale, enough budget", fresh, true, t0.Add(61 * time.Second), false, Refresh},
		{"stale, budget at the reserve", short, true, t0.Add(30 * time.Second), false, PrintShort},
		{"no state at all", State{}, false, t0, false, Refresh},
	} {
		if got := Decide(tc.st, tc.ok, tc.now, time.Minute, tc.watched); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// Once the reset has passed, the window is full again: refresh.
	if got := Decide(short, true, t0.Add(43*time.Second), time.Minute, false); got != Refresh {
		t.Errorf("after reset: %v", got)
	}
}
