package queue_test

import (
	"net/http"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// A job waiting out a backoff lends its worker: with one worker, a job
// whose create drew a proxy's 503 (Retry-After 5 s) must not hold the
// next job back for those 5 s. Holding it kept every worker asleep under
// faults (BenchmarkSubmit, faults scenario: 10 % 503s took a 30 s batch
// to 43 s).
func TestABackoffLendsItsWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var first time.Time
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			rate(h, 60, 50, time.Now().Add(30*time.Second))
			if r.Method == http.MethodPost && first.IsZero() {
				first = time.Now()
				h.Set("Retry-After", "5")
				h.Set("Content-Type", "text/html")
				return 503, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
			}
			return 201, jobBody("job_" + string(rune('a'+n)))
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
		added, err := q.Enqueue(jobs(3)...)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Run(bg, true); err != nil {
			t.Fatal(err)
		}
		var got []arrival
		for _, a := range s.arrivals() {
			if a.method == http.MethodPost {
				got = append(got, a)
			}
		}
		if len(got) != 4 {
			t.Fatalf("%d requests, want 4 (one 503, three creates)", len(got))
		}
		if a := got[1]; a.key == added[0].Key || a.at.Sub(first) >= 5*time.Second {
			t.Errorf("second request: job %s %v after the 503; want another job, at once", a.key, a.at.Sub(first))
		}
		for _, a := range got[1:] {
			if a.key == added[0].Key && a.at.Sub(first) < 5*time.Second {
				t.Errorf("the 503's job retried %v after it, before its Retry-After", a.at.Sub(first))
			}
		}
		for _, job := range q.List() {
			if job.State != queue.StateCreated {
				t.Errorf("job %s ended %s, want created", job.Key, job.State)
			}
		}
	})
}
