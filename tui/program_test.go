package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/tui/data"
)

// TestProgram runs the whole Bubble Tea program with fakes: the first poll
// lands, observations stream in, a queue event arrives, and q quits after
// asking once.
func TestProgram(t *testing.T) {
	obs := make(chan apiclient.Observation, 8)
	q := newFakeQueue([]data.Job{{Key: "k1", Model: "flux-dev", State: data.StateRunning, Enqueued: t0, Updated: t0}})
	m := New(Options{
		Profile: "default", MaskedToken: "ab_…7Qx2", TokenSource: "env",
		NoColor: true, PollInterval: time.Hour,
		Monitor: &fakeMonitor{}, Queue: q, Observations: obs,
		Now: func() time.Time { return t0 },
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	obs <- apiclient.Observation{Method: "GET", Path: "/v1/balance", Status: 200, Snapshot: snap(t0, 57, 24000, 1204.5)}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("57/60")) && bytes.Contains(b, []byte("Team plan"))
	}, teatest.WithDuration(5*time.Second))

	j := data.Job{Key: "k2", Model: "kling-2.6", State: data.StatePending, Wait: "concurrency 10/10", Enqueued: t0}
	q.events <- data.Event{At: t0, Job: &j}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("concurrency 10/10"))
	}, teatest.WithDuration(5*time.Second))

	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("Press q/ctrl+c"))
	}, teatest.WithDuration(5*time.Second))
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	fm := tm.FinalModel(t).(*Model)
	if v := stripANSI(fm.Render()); !strings.Contains(v, "kling-2.6") {
		t.Fatalf("final view lacks the queued job:\n%s", v)
	}
}
