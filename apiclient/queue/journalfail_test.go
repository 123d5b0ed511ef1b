package queue_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// When the journal cannot be written (disk full, file gone), "sending"
// cannot be made durable, so nothing may be sent; and since the job's
// failure cannot be recorded either, it stays pending. Run must then stop
// with the reason instead of claiming the same job again in a busy loop
// until ctx ends. (Real time, not synctest: the busy loop never blocks, so
// a bubble's clock would never reach the deadline.)
func TestJournalWriteFailurePausesInsteadOfSpinning(t *testing.T) {
	s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
		rate(h, 60, 50, time.Now().Add(30*time.Second))
		return 201, jobBody("job_1")
	})
	defer s.stop()
	j, err := queue.OpenJournal(filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: sched(), API: s.client, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(queue.NewJob{Model: "flux-schnell", Input: []byte(`{"prompt":"x"}`)}); err != nil {
		t.Fatal(err)
	}
	j.Close() // every later write fails
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err = q.Run(ctx, true)
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want it to stop on the journal error", err)
	}
	if n := len(s.arrivals()); n != 0 {
		t.Errorf("%d request(s) sent without a durable journal", n)
	}
	if got := q.List()[0].State; got != queue.StatePending || q.Paused() == "" {
		t.Errorf("job %s, paused %q; want it pending and the queue paused", got, q.Paused())
	}
}
