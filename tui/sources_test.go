package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/usagestate"
)

// Every number says where it came from and how old it is, or that it is
// a projection (issue 5), in the wide and the compact layout.
func TestEveryGaugeSaysItsSourceAndAge(t *testing.T) {
	for _, sz := range [][2]int{{100, 30}, {160, 48}} {
		m, _ := scenario(sz[0], sz[1], true, 0)
		v := plain(m)
		if n := strings.Count(v, "from header · 0s ago"); n != 2 {
			t.Errorf("%v: %d gauges say 'from header · 0s ago', want rate and quota:\n%s", sz, n, v)
		}
		if !strings.Contains(v, "from balance · 0s ago") {
			t.Errorf("%v: credits source not named:\n%s", sz, v)
		}
	}
	for _, sz := range [][2]int{{60, 20}, {80, 24}, {50, 16}} {
		m, _ := scenario(sz[0], sz[1], true, 0)
		if v := plain(m); !strings.Contains(v, "rate, quota: header 0s ago") {
			t.Errorf("%v: compact sources missing:\n%s", sz, v)
		}
	}
}

// The compact layout shows when each budget resets or runs out, not only
// the bars (tmux at 80×24 showed no countdown at all).
func TestCompactGaugesShowResetAndForecast(t *testing.T) {
	m, _ := scenario(80, 24, true, 0)
	v := plain(m)
	for _, want := range []string{"resets in", "⚠ out ~17h", "empty in"} {
		if !strings.Contains(v, want) {
			t.Errorf("compact view lacks %q:\n%s", want, v)
		}
	}
}

// A job created on the server but not seen running yet is not "running".
func TestCreatedJobIsNotCalledRunning(t *testing.T) {
	m, _ := scenario(100, 30, true, 0)
	j := data.Job{Key: "k1", ID: "job_1", Model: "flux-dev", State: data.StateCreated, Attempts: 1, Enqueued: t0, Updated: t0}
	m.Update(queueMsg{{At: t0, Job: &j}})
	v := plain(m)
	if strings.Contains(v, "▸ running") || !strings.Contains(v, "created") {
		t.Fatalf("created job shown as running:\n%s", v)
	}
}

// A gauge marked critical must say why when its numbers look fine (a 429
// a few seconds ago while 59/60 requests are left).
func TestCriticalAfter429SaysWhy(t *testing.T) {
	m, _ := scenario(100, 30, true, 0)
	m.usage = usagestate.New(5*time.Second, 360)
	s := snap(t0.Add(-5*time.Second), 59, 24000, 4999)
	m.Update(obsMsg{{Method: "POST", Path: "/v1/jobs", Status: 429, Snapshot: s}})
	v := plain(m)
	if !strings.Contains(v, "critical") || !strings.Contains(v, "429 5s ago") {
		t.Fatalf("critical rate gauge does not say why:\n%s", v)
	}
}
