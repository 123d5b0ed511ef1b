package main

import "testing"

// TestTimingE2E runs the end-to-end tests that assert timing (the share of
// the rate allowance used, full windows after a kill, progress shown
// within a second) beside each other, and before the count-only e2e tests
// (the top-level t.Parallel ones), which never run beside them. Each waits
// out 2 s rate windows on ~0.3 core of its own: one after another they
// were 65 s of a 117 s package, beside each other 27 s, with the same
// figures (allowance 0.97–1.00, [20 19] and [20 20] after a kill; load 11
// on 2 cores). Under the race detector they run one after another, as
// before (see raceEnabled). Run one with -run 'TestTimingE2E/SubmitE2EAlone'.
func TestTimingE2E(t *testing.T) {
	for _, tc := range []struct {
		name string
		test func(*testing.T)
	}{
		// longest first: -parallel (4 here) lets only that many start
		{"SubmitE2EAlone", testSubmitE2EAlone},
		{"SubmitE2ERedisOutage", testSubmitE2ERedisOutage},
		{"DashboardWatchesSubmitE2E", testDashboardWatchesSubmitE2E},
		{"DashboardSigkillLeavesTheSubmitTheBudgetE2E", testDashboardSigkillLeavesTheSubmitTheBudgetE2E},
		{"SubmitE2ERedisShared", testSubmitE2ERedisShared},
		{"SubmitE2ELocalShared", testSubmitE2ELocalShared},
		{"SubmitE2ELocalSigkill", testSubmitE2ELocalSigkill},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !raceEnabled {
				t.Parallel() // beside the other timing tests only: this parent is a serial test
			}
			tc.test(t)
		})
	}
}
