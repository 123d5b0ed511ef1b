package alerts

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/caps"
)

// A batch fires batch_finished once, when its last job is final (a rerun
// job counts instead of the failure it replaced); a queue paused at a cap
// fires cap_reached once per cap and period.
func TestQueueAlerts(t *testing.T) {
	var s sendAll
	e := newEngine(t, Default(), filepath.Join(t.TempDir(), StateFile), &s)
	t1 := batchTally{first: "k1", jobs: 4, ok: 1, failed: 1, open: 1} // k3 failed, rerun as k4 (running)
	e.batchFinished("acme", t1, t0)
	if len(s.got) != 0 {
		t.Fatalf("fired %q while a job runs", s.keys())
	}
	t1.open, t1.ok = 0, 2 // k2 succeeded; k4 failed (k3's failure counts once, as k4)
	e.batchFinished("acme", t1, t0.Add(time.Second))
	e.batchFinished("acme", t1, t0.Add(2*time.Second)) // the same batch, seen again
	if s.keys() != "batch_finished" || s.got[0].Text != "acme: batch k1×4 finished: 2 succeeded, 1 failed, 0 canceled" {
		t.Fatalf("fired %q (%v), want one batch_finished with 2 succeeded, 1 failed", s.keys(), s.got)
	}

	s.got = nil
	day := &caps.Reached{Kind: caps.DailyCredits, Cap: 500, Used: 499, Price: 2, Lifts: t0.Add(14 * time.Hour)}
	for range 3 {
		e.QueueEvent("acme", queue.Event{Type: queue.EventProblem, Cap: day})
	}
	next := *day
	next.Lifts = next.Lifts.Add(24 * time.Hour)
	e.QueueEvent("acme", queue.Event{Type: queue.EventProblem, Cap: &next})
	if s.keys() != "cap_reached_daily_credits,cap_reached_daily_credits" {
		t.Fatalf("fired %q, want cap_reached once per day", s.keys())
	}
	if want := "acme: cap daily_credits reached (499 of 500)"; s.got[0].Text != want {
		t.Errorf("text %q, want %q", s.got[0].Text, want)
	}
}
