package budget

import "testing"

// The plan the server names sizes the concurrency limit until a body
// states it; a custom or unknown plan says nothing, and a stated limit is
// never overridden.
func TestObservePlan(t *testing.T) {
	for _, tc := range []struct {
		name      string
		known     int // limit known before
		plan      string
		wantLimit int
	}{
		{"free documents 2", 0, "free", 2},
		{"Pro, as the balance spells it", 0, "Pro", 10},
		{"team documents none", 0, "team", 0},
		{"enterprise is per contract", 0, "enterprise", 0},
		{"unknown plan", 0, "platinum", 0},
		{"a limit a body stated stays", 5, "free", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewState(PlanNamed("team"))
			s.ConcurrencyLimit = tc.known
			s.Observe(Observation{Plan: tc.plan})
			if s.ConcurrencyLimit != tc.wantLimit {
				t.Errorf("ConcurrencyLimit %d, want %d", s.ConcurrencyLimit, tc.wantLimit)
			}
		})
	}
}
