package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/caps"
)

// A profile's caps show as gauges beside the server's limits, in every
// layout, with their use, when they lift and the zone of their days.
func TestCapsGauges(t *testing.T) {
	lines := caps.Lines(caps.Caps{DailyCredits: 500, DailyJobs: 40, Zone: time.UTC}, caps.Usage{Day: t0.UTC().Format(time.DateOnly), DayCredits: 450, DayJobs: 12}, t0, 0, 0)
	for _, size := range [][2]int{{120, 40}, {80, 24}, {60, 20}} {
		m, _ := scenario(size[0], size[1], true, 5)
		m.Update(pollDoneMsg{gen: 0, res: PollResult{Balance: &apiclient.Balance{Credits: 1204.5, Plan: "team"}, Requests: 1, Caps: lines}})
		v := plain(m)
		for _, want := range []string{"Credit cap/day", "50/500 credits left", "Job cap/day", "28/40 jobs left"} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d: no %q:\n%s", size[0], size[1], want, v)
			}
		}
		if size[0] >= 80 && !strings.Contains(v, "lifts 00:00 UTC in") {
			t.Errorf("%dx%d: the caps' zone is not said:\n%s", size[0], size[1], v)
		}
	}
}
