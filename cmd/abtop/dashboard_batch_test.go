package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	live "github.com/abtop-dev/abtop/batches"
)

// TestFollowBatchOfManyJobsReturnsAtOnce: following a batch of more jobs
// than the events buffer holds (1,500 > 1,024) returns before anyone reads
// its events, with every job loaded, both on the dashboard's start (the
// journal a submit holds) and from the batch picker (by id). The first
// reading must not be sent as events: nobody listens yet, and the TUI
// loads the rows whole through Jobs anyway.
func TestFollowBatchOfManyJobsReturnsAtOnce(t *testing.T) {
	dir := t.TempDir()
	journal := filepath.Join(dir, "big.db")
	r := live.Record{Org: "org", Source: "big.jsonl", PID: 101, Journal: journal, Started: time.Now(), State: live.StateRunning}
	for i := range 1500 {
		r.Jobs = append(r.Jobs, queue.Job{Key: fmt.Sprintf("k%04d", i), State: queue.StatePending, Model: "m", Updated: time.Unix(int64(i), 0)})
	}
	r.Counts = live.CountJobs(r.Jobs)
	p, err := live.Publish(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })

	for name, follow := range map[string]func() *live.Follower{
		"journal": func() *live.Follower { return live.Follow(dir, journal) },
		"picker":  func() *live.Follower { return live.FollowID(dir, p.ID()) },
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel() // on a failure this also frees a follow blocked on its events
				done := make(chan *batchAdapter, 1)
				go func() { done <- followBatch(ctx, follow()) }()
				synctest.Wait()
				select {
				case a := <-done:
					if n := len(a.Jobs()); n != 1500 {
						t.Fatalf("Jobs() has %d jobs, want 1500", n)
					}
					if st := a.State(); st.Owner == "" || st.Paused {
						t.Fatalf("State() = %+v", st)
					}
				default:
					t.Fatal("followBatch is still blocked: its first reading fills the events buffer nobody reads yet")
				}
			})
		})
	}
}
