package plans

import "testing"

// API.md's plan table; "team" has no documented concurrency limit, which is
// a known limit of none, not an unknown one.
func TestConcurrency(t *testing.T) {
	for _, tc := range []struct {
		plan  string
		limit int
		known bool
	}{
		{"free", 2, true}, {"Pro", 10, true}, {"team", 0, true}, {"BUSINESS", 50, true},
		{"enterprise", 0, false}, {"", 0, false}, {"gold", 0, false},
	} {
		limit, known := Concurrency(tc.plan)
		if limit != tc.limit || known != tc.known {
			t.Errorf("Concurrency(%q) = %d, %t; want %d, %t", tc.plan, limit, known, tc.limit, tc.known)
		}
	}
	if got := MaxRequestsPerMin(); got != 300 {
		t.Errorf("MaxRequestsPerMin = %d, want 300", got)
	}
}

func TestCoversFollowsTheTableOrder(t *testing.T) {
	for _, tc := range []struct {
		plan, need    string
		covers, known bool
	}{
		{"pro", "pro", true, true}, {"Team", "pro", true, true}, {"free", "pro", false, true},
		{"pro", "team", false, true}, {"enterprise", "business", true, true}, {"free", "", true, true},
		{"", "pro", false, false}, {"gold", "pro", false, false},
	} {
		if c, k := Covers(tc.plan, tc.need); c != tc.covers || k != tc.known {
			t.Errorf("Covers(%q, %q) = %t, %t; want %t, %t", tc.plan, tc.need, c, k, tc.covers, tc.known)
		}
	}
}
