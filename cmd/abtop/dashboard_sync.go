package main

import (
	"context"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/tui/data"
)

// serverView remembers what the API last said about jobs the queue created.
// The queue's job ends at "created" (exactly once on the server); what the
// job does afterwards is display only, so it lives here, not in the journal.
type serverView struct {
	mu   sync.Mutex
	byID map[string]apiclient.Job
}

func (v *serverView) get(id string) (apiclient.Job, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	j, ok := v.byID[id]
	return j, ok
}

// overlay applies the server's view to a converted queue job.
func (v *serverView) overlay(j data.Job) data.Job {
	if j.ID == "" || (j.State != data.StateCreated && j.State != data.StateRunning) {
		return j
	}
	sj, ok := v.get(j.ID)
	if !ok {
		return j
	}
	switch sj.Status {
	case apiclient.StatusRunning:
		j.State = data.StateRunning
	case apiclient.StatusSucceeded:
		j.State, j.Output, j.Credits = data.StateSucceeded, sj.Output, sj.Credits
	case apiclient.StatusFailed:
		j.State = data.StateFailed
		j.Problem = sj.Problem()
		j.Next = "no automatic retry: it failed on the server after it was created; add it again to rerun it"
	case apiclient.StatusCanceled:
		j.State = data.StateCanceled
	}
	if sj.FinishedAt != nil {
		j.Updated = *sj.FinishedAt
	}
	return j
}

// syncServer asks the API once (GET /v1/jobs, a low-priority poll through
// the budget) about every job still unfinished on the server, and emits an
// event for each that changed. It returns the requests spent.
func (a *queueAdapter) syncServer(ctx context.Context) int {
	pending := map[string]queue.Job{}
	for _, j := range a.q.List() {
		if j.JobID != "" && (j.State == queue.StateCreated || j.State == queue.StateRunning) {
			if sj, ok := a.view.get(j.JobID); ok && sj.Finished() {
				continue
			}
			pending[j.JobID] = j
		}
	}
	if len(pending) == 0 {
		return 0
	}
	var list []apiclient.Job
	n := 0
	err := a.mon.sched.Do(ctx, queue.Call{Kind: queue.KindPoll}, func(ctx context.Context) (apiclient.Meta, error) {
		n++
		var meta apiclient.Meta
		var err error
		list, meta, err = a.mon.client.ListJobs(ctx, "")
		return meta, err
	})
	if err != nil {
		return n
	}
	var changed []data.Job
	a.view.mu.Lock()
	for _, sj := range list {
		qj, ok := pending[sj.ID]
		if !ok {
			continue
		}
		if old, seen := a.view.byID[sj.ID]; seen && old.Status == sj.Status {
			continue
		}
		a.view.byID[sj.ID] = sj
		changed = append(changed, convertJob(qj))
	}
	a.view.mu.Unlock()
	for _, j := range changed {
		j = a.view.overlay(j)
		if !a.emit(ctx, data.Event{At: time.Now(), Job: &j}) {
			return n
		}
	}
	return n
}
