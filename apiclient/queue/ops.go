// Operations a user asks of a queued job: cancel it, retry the failed
// ones, move one up or down.

package queue

import (
	"context"
	"fmt"

	"github.com/abtop-dev/abtop/apiclient"
)

// Cancel cancels a job: a pending one locally; one created on the server
// (queued) through POST /cancel. A job already running gets the server's
// 409 back as an *apiclient.Error.
func (q *Queue) Cancel(ctx context.Context, key string) error {
	q.mu.Lock()
	j, ok := q.jobs[key]
	if !ok {
		q.mu.Unlock()
		return fmt.Errorf("queue: no job with key %s", key)
	}
	cur := *j
	claimed := q.claimed[key]
	if cur.State == StatePending && !claimed {
		// Claim it in the same lock hold as the check, so no worker can
		// take the job (and write "sending" over "canceled") in between.
		q.claimed[key] = true
	}
	q.mu.Unlock()
	switch {
	case cur.State == StatePending && !claimed:
		_, err := q.update(key, func(j *Job) { j.State, j.Wait = StateCanceled, "" })
		q.unclaim(key)
		return err
	case cur.State.Unfinished():
		return fmt.Errorf("queue: job %s is being sent; cancel it once it is created", ShortKey(key))
	case cur.State == StateCreated || cur.State == StateRunning:
		var got apiclient.Job
		ck := q.opts.NewKey()
		err := q.opts.Scheduler.Do(ctx, Call{Kind: KindCancel, Write: true, Retry: true}, func(ctx context.Context) (apiclient.Meta, error) {
			var meta apiclient.Meta
			var err error
			got, meta, err = q.opts.API.CancelJob(ctx, cur.JobID, ck)
			return meta, err
		})
		if err != nil {
			p := problemOf(err)
			_, _ = q.update(key, func(j *Job) { j.Problem = p })
			q.hub.publish(Event{Type: EventProblem, Job: q.get(key)})
			return err
		}
		_, err = q.update(key, func(j *Job) { j.State, j.ServerStatus = StateCanceled, got.Status })
		q.releaseSlot(ctx, key)
		return err
	}
	return fmt.Errorf("queue: job %s is already %s", ShortKey(key), cur.State)
}

// RetryFailed puts failed jobs that the server never created back in the
// queue, each under its original Idempotency-Key: a refusal (4xx) created
// nothing and the server remembers only successes under a key, and a job
// given up on after faults may exist, so a new key could create it twice.
// Attempts keep counting. A job the server created and then failed is not
// resent: rerunning it is a new job, a deliberate new operation with a new
// key (API.md "Failed jobs"). It returns how many jobs it put back.
func (q *Queue) RetryFailed() (int, error) {
	var keys []string
	q.mu.Lock()
	for _, k := range q.order {
		if j := q.jobs[k]; j.State == StateFailed && j.JobID == "" {
			keys = append(keys, k)
		}
	}
	q.mu.Unlock()
	for _, k := range keys {
		if _, err := q.update(k, func(j *Job) { j.State, j.Wait = StatePending, "" }); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// Reorder moves a pending job by delta places among the pending jobs
// (negative: earlier).
func (q *Queue) Reorder(key string, delta int) error {
	q.mu.Lock()
	var pend []string
	at := -1
	for _, k := range q.order {
		if q.jobs[k].State == StatePending && !q.claimed[k] {
			if k == key {
				at = len(pend)
			}
			pend = append(pend, k)
		}
	}
	if at < 0 {
		q.mu.Unlock()
		return fmt.Errorf("queue: job %s is not waiting to be sent", ShortKey(key))
	}
	to := min(max(at+delta, 0), len(pend)-1)
	if to == at {
		q.mu.Unlock()
		return nil
	}
	// Rotate the Seq values of the pending jobs between at and to.
	lo, hi := min(at, to), max(at, to)
	seqs := make([]int64, 0, hi-lo+1)
	for _, k := range pend[lo : hi+1] {
		seqs = append(seqs, q.jobs[k].Seq)
	}
	moved := append([]string(nil), pend[lo:hi+1]...)
	if to < at {
		moved = append([]string{key}, append(moved[:at-lo:at-lo], moved[at-lo+1:]...)...)
	} else {
		moved = append(append(moved[:0:0], moved[:at-lo]...), moved[at-lo+1:]...)
		moved = append(moved, key)
	}
	updated := make([]Job, 0, len(moved))
	for i, k := range moved {
		j := *q.jobs[k]
		j.Seq = seqs[i]
		updated = append(updated, j)
	}
	if err := q.opts.Journal.Put(updated...); err != nil {
		q.mu.Unlock()
		return err
	}
	for _, j := range updated {
		*q.jobs[j.Key] = j
	}
	q.resortLocked()
	q.reorders++
	q.scan = 0
	q.signalLocked()
	q.mu.Unlock()
	for _, j := range updated {
		q.hub.publish(Event{Type: EventJob, Job: j})
	}
	return nil
}

func (q *Queue) resortLocked() {
	// Insertion sort: order is nearly sorted after a move.
	o := q.order
	for i := 1; i < len(o); i++ {
		for k := i; k > 0 && q.jobs[o[k]].Seq < q.jobs[o[k-1]].Seq; k-- {
			o[k], o[k-1] = o[k-1], o[k]
		}
	}
}
