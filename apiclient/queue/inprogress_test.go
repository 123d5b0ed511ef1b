package queue_test

import (
	"net/http"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// A 409 saying the request with this Idempotency-Key is still being
// processed (Stripe's idempotency_key_in_use; problem.Classify: a
// lock-flavoured 409 is retryable) follows an attempt whose answer was
// lost, so the job may exist: the scheduler retries with the same key, and
// a job given up on keeps its key on RetryFailed (a new key could create
// it twice).
func TestKeyInUseIsRetriedWithTheSameKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		answers := []int{0, 409, 201} // drop, in progress, created
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			rate(h, 60, 50, time.Now().Add(30*time.Second))
			switch answers[min(n, len(answers)-1)] {
			case 0:
				return 0, ""
			case 409:
				return 409, problemBody(409, "idempotency_key_in_use")
			}
			return 201, jobBody("job_1")
		})
		defer s.stop()
		if err := create(s, sched(), "key-l"); err != nil {
			t.Fatalf("err %v, want the job created after the key was released", err)
		}
		if a := s.arrivals(); len(a) != 3 {
			t.Fatalf("%d attempts, want 3", len(a))
		}
	})
}

func TestKeyInUseGivenUpKeepsItsKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			rate(h, 60, 50, time.Now().Add(30*time.Second))
			return 409, problemBody(409, "idempotency_key_in_use")
		})
		defer s.stop()
		j, err := queue.OpenJournal(filepath.Join(t.TempDir(), "q.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: sched(), API: s.client, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		added, err := q.Enqueue(queue.NewJob{Model: "flux-schnell", Input: []byte(`{"prompt":"x"}`)})
		if err != nil {
			t.Fatal(err)
		}
		_ = q.Run(bg, true)
		if got := q.List()[0]; got.State != queue.StateFailed || !got.Ambiguous {
			t.Fatalf("job %s ambiguous=%t, want failed and ambiguous", got.State, got.Ambiguous)
		}
		if _, err := q.RetryFailed(); err != nil {
			t.Fatal(err)
		}
		if got := q.List()[0].Key; got != added[0].Key {
			t.Fatalf("RetryFailed gave key %s, want the original %s", got, added[0].Key)
		}
	})
}
