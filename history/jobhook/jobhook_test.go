package jobhook

import (
	"fmt"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

type rec struct{ log []string }

func (r *rec) JobCreated(p, o, m string, c float64, w time.Duration) {
	r.log = append(r.log, fmt.Sprintf("created %s/%s %s %v %v", p, o, m, c, w))
}

func (r *rec) JobFinished(p, o, m, s string, refund float64) {
	r.log = append(r.log, fmt.Sprintf("finished %s/%s %s %s %v", p, o, m, s, refund))
}

func TestEachJobOnce(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	job := func(key, id string, st queue.State) queue.Job {
		return queue.Job{Key: key, JobID: id, Model: "flux", Credits: 3, State: st, Enqueued: t0, Updated: t0.Add(5 * time.Second)}
	}
	r := &rec{}
	f := New(r, "default", "org_1")
	f.Know(job("old", "job_old", queue.StateRunning))
	f.Know(job("done", "job_done", queue.StateSucceeded))
	for _, j := range []queue.Job{
		job("a", "", queue.StatePending),
		job("a", "", queue.StateSending),
		job("a", "job_a", queue.StateCreated),
		job("a", "job_a", queue.StateRunning),
		job("a", "job_a", queue.StateRunning),
		job("b", "", queue.StateFailed),      // refused: never created, nothing charged
		job("c", "job_c", queue.StateFailed), // its "created" event was lost
		job("a", "job_a", queue.StateSucceeded),
		job("a", "job_a", queue.StateSucceeded),
		job("old", "job_old", queue.StateCanceled), // created by an earlier process
		job("done", "job_done", queue.StateSucceeded),
	} {
		f.Observe(queue.Event{Type: queue.EventJob, Job: j})
	}
	want := []string{
		"created default/org_1 flux 3 5s",
		"created default/org_1 flux 3 5s",
		"finished default/org_1 flux failed 3",
		"finished default/org_1 flux succeeded 0",
		"finished default/org_1 flux canceled 3",
	}
	if fmt.Sprint(r.log) != fmt.Sprint(want) {
		t.Errorf("recorded:\n%q\nwant:\n%q", r.log, want)
	}
}
