package queue

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
)

// Lister is what reconciliation needs from apiclient.Client: GET /v1/jobs.
type Lister interface {
	ListJobs(ctx context.Context, status string) ([]apiclient.Job, apiclient.Meta, error)
}

// Reconciler follows the jobs a queue created on the server, for display:
// the queue's own work ends at "created" (exactly once on the server);
// what a job does afterwards is what the server last said, kept here and
// not in the journal.
type Reconciler struct {
	q     *Queue
	sched *Scheduler
	api   Lister
	now   func() time.Time

	mu   sync.Mutex
	byID map[string]apiclient.Job // server job id → last listing of it
}

// NewReconciler follows q's created jobs through sched (every listing
// spends the same budget as the queue); now stamps the changes it reports
// (nil: time.Now).
func NewReconciler(q *Queue, sched *Scheduler, api Lister, now func() time.Time) *Reconciler {
	if now == nil {
		now = time.Now
	}
	return &Reconciler{q: q, sched: sched, api: api, now: now, byID: map[string]apiclient.Job{}}
}

// Tracked is a queue job with what the server last said about it.
type Tracked struct {
	Job
	// Output is the server's output of a succeeded job.
	Output json.RawMessage
	// ServerProblem is the server's error of a job that failed after it
	// was created; FailedOnServer says it did (no automatic retry then).
	ServerProblem  *problem.Problem
	FailedOnServer bool
}

// Overlay applies the server's last word to j. Jobs the server has not
// listed yet, and jobs the queue still owns, come back as they are.
func (r *Reconciler) Overlay(j Job) Tracked {
	t := Tracked{Job: j}
	if j.JobID == "" || (j.State != StateCreated && j.State != StateRunning) {
		return t
	}
	r.mu.Lock()
	sj, ok := r.byID[j.JobID]
	r.mu.Unlock()
	if !ok {
		return t
	}
	switch sj.Status {
	case apiclient.StatusRunning, apiclient.StatusCanceled:
		t.State = stateOf(sj.Status)
	case apiclient.StatusSucceeded:
		t.State, t.Output, t.Credits = StateSucceeded, sj.Output, sj.Credits
	case apiclient.StatusFailed:
		t.State, t.ServerProblem, t.FailedOnServer = StateFailed, sj.Problem(), true
	}
	t.ServerStatus = sj.Status
	if sj.FinishedAt != nil {
		t.Updated = *sj.FinishedAt
	}
	return t
}

// Sync asks the API once (GET /v1/jobs, a low-priority poll through the
// budget) about every job still unfinished on the server. It returns the
// jobs whose server status changed, overlaid, the instant it learned so,
// and the requests it spent (0 when nothing is left to follow).
func (r *Reconciler) Sync(ctx context.Context) (changed []Tracked, at time.Time, requests int) {
	pending := map[string]Job{}
	list := r.q.List()
	r.mu.Lock()
	for _, j := range list {
		if j.JobID == "" || (j.State != StateCreated && j.State != StateRunning) {
			continue
		}
		if sj, ok := r.byID[j.JobID]; ok && sj.Finished() {
			continue
		}
		pending[j.JobID] = j
	}
	r.mu.Unlock()
	if len(pending) == 0 {
		return nil, time.Time{}, 0
	}
	var listed []apiclient.Job
	err := r.sched.Do(ctx, Call{Kind: KindPoll}, func(ctx context.Context) (apiclient.Meta, error) {
		requests++
		var meta apiclient.Meta
		var err error
		listed, meta, err = r.api.ListJobs(ctx, "")
		return meta, err
	})
	if err != nil {
		return nil, time.Time{}, requests
	}
	var jobs []Job
	r.mu.Lock()
	for _, sj := range listed {
		qj, ok := pending[sj.ID]
		if !ok {
			continue
		}
		if old, seen := r.byID[sj.ID]; seen && old.Status == sj.Status {
			continue
		}
		r.byID[sj.ID] = sj
		jobs = append(jobs, qj)
	}
	r.mu.Unlock()
	for _, j := range jobs {
		changed = append(changed, r.Overlay(j))
	}
	return changed, r.now(), requests
}
