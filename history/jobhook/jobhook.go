// Package jobhook turns a queue's events into history records: each job's
// creation and its end, once each, however often the queue reports it.
package jobhook

import (
	"context"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Recorder is what the hook writes to (history.Store).
type Recorder interface {
	JobCreated(profile, org, model string, credits float64, waited time.Duration)
	JobFinished(profile, org, model, status string, refunded float64)
}

// Follower remembers what it has recorded per job (by Idempotency-Key).
// It is not safe for concurrent use: one goroutine runs it.
type Follower struct {
	rec          Recorder
	profile, org string
	created      map[string]bool
	finished     map[string]bool
}

// New returns a Follower recording under profile and org.
func New(rec Recorder, profile, org string) *Follower {
	return &Follower{rec: rec, profile: profile, org: org, created: map[string]bool{}, finished: map[string]bool{}}
}

// Know marks a job a queue loaded from its journal (queue.Each before
// Run): what an earlier process already recorded is not recorded again
// when this one resumes the batch. One job at a time, so a resumed batch
// of 100,000 jobs is not copied (45 MB) to be known.
func (f *Follower) Know(j queue.Job) {
	if j.JobID != "" {
		f.created[j.Key] = true
	}
	if final(j.State) {
		f.finished[j.Key] = true
	}
}

// Observe records what e tells for the first time. Every event carries the
// whole job, so an event lost by a slow subscriber is made up by the next
// one about the same job.
func (f *Follower) Observe(e queue.Event) {
	j := e.Job
	if j.Key == "" || j.JobID == "" {
		return // never created: nothing was charged
	}
	if !f.created[j.Key] {
		f.created[j.Key] = true
		f.rec.JobCreated(f.profile, f.org, j.Model, j.Credits, max(j.Updated.Sub(j.Enqueued), 0))
	}
	if final(j.State) && !f.finished[j.Key] {
		f.finished[j.Key] = true
		refund := 0.0
		if j.State != queue.StateSucceeded {
			refund = j.Credits // failed and canceled jobs are refunded (API.md)
		}
		f.rec.JobFinished(f.profile, f.org, j.Model, string(j.State), refund)
	}
}

// Run observes events until the channel closes or ctx ends.
func (f *Follower) Run(ctx context.Context, events <-chan queue.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-events:
			if !ok {
				return
			}
			f.Observe(e)
		}
	}
}

func final(s queue.State) bool {
	return s == queue.StateSucceeded || s == queue.StateFailed || s == queue.StateCanceled
}
