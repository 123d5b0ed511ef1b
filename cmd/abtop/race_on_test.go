//go:build race

package main

// raceEnabled: this test process runs under the race detector, which makes
// its in-process sandboxes several times slower to answer. Several e2e
// tests at once then starve them past the binary's 2 s timeout (allowance
// 0.48–0.71 and daily caps short by 2 in -race runs with the timing tests
// side by side and 4 tests at once), so TestMain and TestTimingE2E keep the
// old one-at-a-time schedule.
const raceEnabled = true
