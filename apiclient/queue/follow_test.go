package queue_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/sandbox"
)

// Follow outlives an empty queue (where Track returns at once) and follows
// each job queued later to its end, until its context ends.
func TestFollowWaitsForTheNextJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newTrackEnv(t, trackOpts{sandbox: sandbox.Options{Window: 2 * time.Second, Seed: 5, JobTimeScale: 0.5}, org: roomyOrg()})
		defer e.close()
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		followed := make(chan error, 1)
		go func() { followed <- e.q.Follow(ctx) }()
		sent := make(chan error, 1)
		go func() { sent <- e.q.Run(ctx, false) }()
		for round := range 2 { // a second batch after the first ended
			synctest.Wait()
			select {
			case err := <-followed:
				t.Fatalf("round %d: Follow returned %v with nothing to follow", round, err)
			default:
			}
			if _, err := e.q.Enqueue(jobs(3)...); err != nil {
				t.Fatal(err)
			}
			for range 600 { // bounded: at most 10 minutes of the bubble's clock
				if e.q.Counts()[queue.StateSucceeded] == 3*(round+1) {
					break
				}
				time.Sleep(time.Second)
			}
			if got := e.q.Counts()[queue.StateSucceeded]; got != 3*(round+1) {
				t.Fatalf("round %d: %d jobs succeeded, want %d: tracking did not follow them", round, got, 3*(round+1))
			}
		}
		cancel()
		if err := <-followed; !errors.Is(err, context.Canceled) {
			t.Fatalf("Follow returned %v, want context.Canceled", err)
		}
		<-sent
	})
}
