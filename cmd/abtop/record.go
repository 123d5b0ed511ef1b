package main

import (
	"os"
	"time"

	"github.com/abtop-dev/abtop/config"
)

// historyPath is where this process records what it observes; "" (no
// recording) under --sandbox, whose fake traffic must not enter the real
// history, or when no state directory can be found.
func (a *app) historyPath() string {
	if a.v.GetBool("sandbox") {
		return ""
	}
	p, err := config.DefaultHistory(os.Getenv)
	if err != nil {
		return ""
	}
	return p
}

// testClockOffset is ABTOP_TEST_CLOCK_OFFSET (a Go duration), added to the
// budget's reference clock. Test-only and deliberately undocumented in
// --help: caps reset at midnight, and an end-to-end test of "submit
// --resume continues after the day rolled over" cannot wait for midnight;
// the sandbox's clock option moves only the server. Moving the whole
// budget clock, not just the caps', keeps every decision on one clock.
func testClockOffset() time.Duration {
	d, err := time.ParseDuration(os.Getenv("ABTOP_TEST_CLOCK_OFFSET"))
	if err != nil {
		return 0
	}
	return d
}
