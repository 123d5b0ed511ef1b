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
func (e *Engine) FollowQueue(ctx context.Context, profile string, q *queue.Queue, events <-chan queue.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			e.QueueEvent(profile, ev)
			if ev.Type == queue.EventJob && ev.Job.State.Final() {
				e.batchFinished(profile, q.List(), ev.Job.Updated)
			}
		}
	}
}

// batchFinished fires batch_finished when every job of the queue is
// final. The batch is named by its first job's key and its size, so every
// process that sees the same journal end names it alike (the rule fires
// once per name across the machine) and jobs added later make a new one.
func (e *Engine) batchFinished(profile string, jobs []queue.Job, at time.Time) {
	if len(jobs) == 0 {
		return
	}
	var ok, failed, canceled int
	for _, j := range jobs {
		switch j.State {
		case queue.StateSucceeded:
			ok++
		case queue.StateFailed:
			if j.RetriedAs != "" {
				continue // rerun under a new key: its rerun counts
			}
			failed++
		case queue.StateCanceled:
			canceled++
		default:
			return // still running
		}
	}
	name := queue.ShortKey(jobs[0].Key) + "×" + strconv.Itoa(len(jobs))
	e.BatchFinished(profile, name, ok, failed, canceled, at)
}
