package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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
	p, err := live.Publish(dir, r, slices.Values(r.Jobs), nil)
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

// A pause asked of another process's batch shows at once and stays shown
// until the owner publishes after it: a record published before (a
// heartbeat, a job's end) must not flip the pane back to running, where a
// second space paused again instead of resuming.
func TestBatchPauseAskedShowsUntilTheOwnerPublishes(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	rec := func(at time.Time, state string) live.Record {
		return live.Record{ID: "b1", PID: 42, Source: "jobs.jsonl", State: state, Updated: at, Counts: live.Counts{Total: 10}}
	}
	a := &batchAdapter{cur: rec(t0, live.StateRunning), ok: true, asked: live.OpPause, askedAt: t0.Add(time.Second)}
	if st := a.State(); !st.Paused {
		t.Fatalf("right after the pause was asked: %+v, want paused", st)
	}
	a.cur = rec(t0.Add(500*time.Millisecond), live.StateRunning) // a heartbeat from before the command
	if st := a.State(); !st.Paused {
		t.Fatalf("a record published before the command flipped it back: %+v", st)
	}
	a.cur = rec(t0.Add(2*time.Second), live.StatePaused)
	a.cur.Paused = "by the dashboard (pid 7)"
	if st := a.State(); !st.Paused || !strings.Contains(st.Reason, "by the dashboard") {
		t.Fatalf("the owner's own record: %+v, want its pause and reason", st)
	}
	a.asked, a.askedAt = live.OpResume, t0.Add(3*time.Second)
	if st := a.State(); st.Paused {
		t.Fatalf("right after the resume was asked: %+v, want running", st)
	}
	a.cur = rec(t0.Add(4*time.Second), live.StatePaused) // the owner paused again after (e.g. a cap)
	if st := a.State(); !st.Paused {
		t.Fatalf("the owner's later record says paused: %+v, want it trusted", st)
	}
}
