package queue_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Seed 002's concurrency rejection is a 429, and its Retry-After ("seconds
// to wait, only on 429 errors") is an order like any 429's (issue 4: after
// a 429 nothing goes out for that org before the wait has passed): another
// request of the org must not leave while the job waits for a slot.
func TestConcurrency429RetryAfterHoldsTheOrg(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var told time.Time
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			h.Set("X-RateLimit-Limit", "60")
			h.Set("X-RateLimit-Remaining", "50")
			h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(30*time.Second).Unix(), 10))
			if n == 0 {
				told = time.Now()
				h.Set("Retry-After", "5")
				h.Set("Content-Type", "application/json")
				return 429, `{"error":{"type":"rate_limit_error","message":"Concurrent prediction limit exceeded. 5/5 predictions running.","code":"CONCURRENT_LIMIT_EXCEEDED","details":{"limit":5,"active":5}}}`
			}
			if r.Method == http.MethodGet {
				return 200, `{"credits":10,"plan":"pro"}`
			}
			return 201, jobBody("job_1")
		})
		defer s.stop()
		sc := sched()
		done := make(chan error, 1)
		go func() { done <- create(s, sc, "key-c") }()
		synctest.Wait() // the 429 is in; the job waits for a slot
		if err := sc.Do(context.Background(), queue.Call{Kind: queue.KindRead}, func(ctx context.Context) (apiclient.Meta, error) {
			_, meta, err := s.client.Balance(ctx)
			return meta, err
		}); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		for i, a := range s.arrivals()[1:] {
			if d := a.at.Sub(told); d < 5*time.Second {
				t.Errorf("request %d (%s %s) went out %v after a Retry-After of 5s", i+2, a.method, a.path, d)
			}
		}
	})
}
