package queue_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// The reconciler follows created jobs on the server with one list read per
// sync, reports each change once, stamps it with the injected clock, and
// stops reading once every job is final on the server.
func TestReconcilerFollowsCreatedJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := sandboxEnv(t, 1000)
		defer e.close()
		if _, err := e.q.Enqueue(jobs(2)...); err != nil {
			t.Fatal(err)
		}
		if err := e.q.Run(bg, true); err != nil {
			t.Fatal(err)
		}
		stamp := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
		rec := queue.NewReconciler(e.q, e.sched, e.client, func() time.Time { return stamp })

		changed, at, n := rec.Sync(bg)
		if n != 1 || len(changed) != 2 || !at.Equal(stamp) {
			t.Fatalf("first sync: %d changed at %v with %d requests; want 2 at %v with 1", len(changed), at, n, stamp)
		}
		if changed, _, n := rec.Sync(bg); n != 1 || len(changed) != 0 {
			t.Fatalf("a sync with nothing new reported %d changes (%d requests)", len(changed), n)
		}

		time.Sleep(10 * time.Minute) // the sandbox finishes both
		changed, _, _ = rec.Sync(bg)
		if len(changed) != 2 {
			t.Fatalf("after the jobs finished: %d changes, want 2", len(changed))
		}
		for _, c := range changed {
			if c.State != queue.StateSucceeded || len(c.Output) == 0 || c.ServerStatus != "succeeded" {
				t.Errorf("job %s: state %s, server status %q, output %q", c.Key, c.State, c.ServerStatus, c.Output)
			}
		}
		// the journal still says "created": the server's word is display only
		for _, j := range e.q.List() {
			if j.State != queue.StateCreated {
				t.Errorf("journal state %s, want created", j.State)
			}
			if o := rec.Overlay(j); o.State != queue.StateSucceeded {
				t.Errorf("overlay state %s, want succeeded", o.State)
			}
		}
		if _, _, n := rec.Sync(bg); n != 0 {
			t.Errorf("a sync with every job final spent %d requests, want 0", n)
		}
	})
}
