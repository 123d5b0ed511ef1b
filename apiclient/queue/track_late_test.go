package queue_test

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/sandbox"
)

// lateAnswers loses the answers to one create (the n-th) for a while:
// the server made the job at once, ran it and ended it, and list reads for
// the other jobs moved the cursor past its last change before the queue
// learned the job's id from a replay of its key (a replay answers as the
// first answer did: "queued"). A create replayed after a restart is the
// same case.
type lateAnswers struct {
	*apiclient.Client
	n    int64
	hold time.Duration

	seen  atomic.Int64
	mu    sync.Mutex
	key   string
	until time.Time
}

func (l *lateAnswers) CreateJob(ctx context.Context, req apiclient.JobRequest, key string) (apiclient.Job, apiclient.Meta, error) {
	j, m, err := l.Client.CreateJob(ctx, req, key)
	l.mu.Lock()
	if l.seen.Add(1) == l.n {
		l.key, l.until = key, time.Now().Add(l.hold)
	}
	lost := key == l.key && time.Now().Before(l.until)
	l.mu.Unlock()
	if lost {
		return apiclient.Job{}, apiclient.Meta{}, &apiclient.TransportError{Method: "POST", Path: "/v1/jobs", Err: io.ErrUnexpectedEOF}
	}
	return j, m, err
}

// TestTrackFindsAJobWhoseCreateAnswerCameLate: a job that entered tracking
// after the list's cursor passed its last change is never in a list read
// again (updated_since is after it); it must still be followed to its end
// at once, not left "created" until the stale-job GET minutes later.
func TestTrackFindsAJobWhoseCreateAnswerCameLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newTrackEnv(t, trackOpts{sandbox: sandbox.Options{Window: 2 * time.Second, Seed: 3, JobTimeScale: 0.05}, org: roomyOrg()})
		defer func() { e.close() }()
		late := &lateAnswers{Client: e.client, n: 2, hold: 15 * time.Second}
		q, err := queue.Open(queue.QueueOptions{Journal: e.j, Scheduler: e.sched, API: late, Now: now, Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		e.q = q
		if _, err := q.Enqueue(jobs(12)...); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := q.Finish(bg); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		if c := q.Counts(); c[queue.StateSucceeded]+c[queue.StateFailed] != 12 {
			t.Fatalf("finished with %v, want all 12 final", c)
		}
		if took > time.Minute {
			t.Errorf("the batch took %v: the late job waited for the stale-job GET instead of the next list read", took.Round(time.Second))
		}
		t.Logf("took %v; tracking %+v", took.Round(time.Second), q.TrackStats())
	})
}
