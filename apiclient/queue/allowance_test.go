package queue

import (
	"testing"
	"time"
)

// Windows after the last create hold only tracking reads; they must not
// dilute the creation-phase figure (submit waits for every job to end).
func TestAllowanceCreationPhase(t *testing.T) {
	w := 2 * time.Second
	t0 := time.Unix(1000, 0)
	s := NewScheduler(Options{})
	s.stats.Limit = 20
	for i := range 5 { // creation: 5 windows, full in the middle ones
		win := t0.Add(time.Duration(i) * w)
		s.perWindow[win] = 20
		s.noteCreate(win, win)
	}
	for i := 5; i < 20; i++ { // tracking: one read per window
		s.perWindow[t0.Add(time.Duration(i)*w)] = 1
	}
	if got := s.Allowance(w); got != 1 {
		t.Errorf("allowance %.3f, want 1 over the creation windows", got)
	}
	s2 := NewScheduler(Options{})
	s2.stats.Limit = 20
	for i := range 5 {
		s2.perWindow[t0.Add(time.Duration(i)*w)] = 10
	}
	if got := s2.Allowance(w); got != 0.5 {
		t.Errorf("tracking-only allowance %.3f, want 0.5", got)
	}
}
