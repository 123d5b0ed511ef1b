package alerts

import (
	"context"
	"strconv"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// FollowQueue feeds a queue's events (from q.Subscribe) to the engine
// until the stream is closed (what was buffered is read first) or ctx
// ends: a failed job fires job_failed, a cap the queue paused at fires
// cap_reached, and the moment every job is final fires batch_finished for
// that set of jobs. The process that runs a queue (submit, the dashboard)
// adds it beside the response observer; watch runs no queue.
//
// It keeps each job's state from the events, so telling whether the
// batch is over costs nothing per event (a 100,000-job batch must not
// scan the queue at every job's end); the queue itself is read only when
// that count says the batch may be over, and once more when the stream
// closes, in case the event that ended it was dropped.
func (e *Engine) FollowQueue(ctx context.Context, profile string, q *queue.Queue, events <-chan queue.Event) {
	open := map[string]bool{} // key → not final yet
	q.Each(func(j queue.Job) {
		if !j.State.Final() {
			open[j.Key] = true
		}
	})
	check := func(at time.Time) {
		if t := tallyQueue(q); t.open == 0 {
			e.batchFinished(profile, t, at)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				check(time.Time{})
				return
			}
			e.QueueEvent(profile, ev)
			if ev.Type != queue.EventJob {
				continue
			}
			if !ev.Job.State.Final() {
				open[ev.Job.Key] = true
				continue
			}
			if open[ev.Job.Key] {
				delete(open, ev.Job.Key)
				if len(open) == 0 {
					check(ev.Job.Updated)
				}
			}
		}
	}
}

// batchTally is a queue's jobs by outcome, and how many are not final.
type batchTally struct {
	first                       string // the first job's key
	jobs, ok, failed, cancelled int
	open                        int
}

func tallyQueue(q *queue.Queue) batchTally {
	var t batchTally
	q.Each(func(j queue.Job) {
		if t.jobs == 0 {
			t.first = j.Key
		}
		t.jobs++
		switch j.State {
		case queue.StateSucceeded:
			t.ok++
		case queue.StateFailed:
			if j.RetriedAs == "" { // a rerun job counts in its place
				t.failed++
			}
		case queue.StateCanceled:
			t.cancelled++
		default:
			t.open++
		}
	})
	return t
}

// batchFinished fires batch_finished for a queue whose jobs are all
// final. The batch is named by its first job's key and its size, so every
// process that sees the same journal end names it alike (the rule fires
// once per name across the machine) and jobs added later make a new one.
func (e *Engine) batchFinished(profile string, t batchTally, at time.Time) {
	if t.jobs == 0 || t.open > 0 {
		return
	}
	name := queue.ShortKey(t.first) + "×" + strconv.Itoa(t.jobs)
	e.BatchFinished(profile, name, t.ok, t.failed, t.cancelled, at)
}
