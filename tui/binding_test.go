package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/tui/usagestate"
)

// The binding line must say its whole point at every width, not end in
// "…" in the middle of a clause (tmux at 60, 80 and 100 columns).
func TestBindingLineFitsWithoutCutting(t *testing.T) {
	for _, w := range []int{60, 80, 100, 160} {
		m, _ := scenario(w, 30, true, 0)
		// a calm state: only the rate window paces, nothing runs out
		m.usage = usagestate.New(5*time.Second, 360)
		m.Update(obsMsg{{Method: "GET", Path: "/v1/balance", Status: 200, Snapshot: snap(t0, 47, 24000, 4999)}})
		var line string
		for _, l := range strings.Split(plain(m), "\n") {
			if strings.Contains(l, "binding") {
				line = l
			}
		}
		if line == "" || strings.Contains(line, "…") {
			t.Errorf("%d cols: binding line %q", w, line)
		}
		if !strings.Contains(line, "47") {
			t.Errorf("%d cols: binding line lacks the remaining budget: %q", w, line)
		}
	}
}
