package queue

import (
	"fmt"
	"time"

	"github.com/abtop-dev/abtop/apiclient/problem"
)

// Reruns: a job the server created, ran and failed is over on the server;
// its credits were refunded and its key answers that failed job forever.
// Running it again is a new logical operation with a new Idempotency-Key
// (API.md "Failed jobs"), and worth it only for a server fault: a
// validation, plan or credit error would fail the same way again.
//
// This is not RetryFailed, which puts back jobs whose *creation* failed,
// under their original key (the server never made them, or may have).

// Rerunnable reports whether the job ended failed on the server by a
// server fault (internal_error) and has not been rerun yet.
func Rerunnable(j Job) bool {
	return j.State == StateFailed && j.JobID != "" && j.RetriedAs == "" &&
		j.Problem != nil && j.Problem.Code == problem.CodeInternalError
}

// Rerun resubmits one failed job (the dashboard's r on a job the server
// ran and failed), whatever MaxRetryFailed says. Both records are written
// in one transaction: the new one, pending under a new key, with RetryOf
// and Rerun counting generations; the old one, kept as it ended, with
// RetriedAs. It returns the new record.
func (q *Queue) Rerun(key string) (Job, error) {
	q.mu.Lock()
	cur, ok := q.jobs[key]
	if !ok {
		q.mu.Unlock()
		return Job{}, fmt.Errorf("queue: no job with key %s", key)
	}
	if !Rerunnable(*cur) {
		q.mu.Unlock()
		return Job{}, fmt.Errorf("queue: job %s is not rerunnable: %s", ShortKey(key), whyNotRerun(*cur))
	}
	old := *cur
	nj := q.rerunLocked(&old)
	if err := q.opts.Journal.Put(old, nj); err != nil {
		q.mu.Unlock()
		return Job{}, err
	}
	*cur = old
	q.addLocked([]Job{nj})
	q.signalLocked()
	q.mu.Unlock()
	q.hub.publish(Event{Type: EventJob, Job: old})
	q.hub.publish(Event{Type: EventJob, Job: nj})
	return nj, nil
}

func whyNotRerun(j Job) string {
	switch {
	case j.RetriedAs != "":
		return "it was rerun already as " + ShortKey(j.RetriedAs)
	case j.State != StateFailed:
		return "it is " + string(j.State)
	case j.JobID == "":
		return "the server never created it (RetryFailed resends it under its key)"
	case j.Problem == nil:
		return "its failure has no reason"
	}
	return fmt.Sprintf("it failed with %s, which a rerun would repeat; only internal_error is rerun", j.Problem.Code)
}

// autoRerunLocked makes the rerun of a job that just ended failed, when
// MaxRetryFailed allows another generation.
func (q *Queue) autoRerunLocked(j *Job) (Job, bool) {
	if j.Rerun >= q.opts.Track.MaxRetryFailed || !Rerunnable(*j) {
		return Job{}, false
	}
	return q.rerunLocked(j), true
}

// rerunLocked builds the new operation for old and links the two. The copy
// keeps what the line is (model, input, credits, line, the batch it came
// with) and drops what the server said of the earlier attempt.
func (q *Queue) rerunLocked(old *Job) Job {
	now := q.opts.Now()
	nj := *old
	nj.Key, nj.Seq = q.opts.NewKey(), q.nextSeq
	q.nextSeq++
	nj.State, nj.JobID, nj.ServerStatus, nj.Attempts = StatePending, "", "", 0
	nj.Problem, nj.Ambiguous, nj.Wait = nil, false, ""
	nj.ServerUpdated, nj.Finished, nj.Charged, nj.Outputs = time.Time{}, time.Time{}, 0, nil
	nj.RetryOf, nj.RetriedAs, nj.Rerun = old.Key, "", old.Rerun+1
	nj.Updated = now
	old.RetriedAs, old.Updated = nj.Key, now
	return nj
}
