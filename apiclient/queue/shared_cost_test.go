package queue_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Issue 7: two processes (schedulers) sharing one budget store. A's two
// answers are separated by B's request, so the drop in Remaining A sees (2)
// is not its cost (1). Taking it for the cost made every later request of A
// reserve 2 units, and the third submitter's e2e run left a third of each
// window unused. All six requests fit the window of six.
func TestSharedStoreCostNotInflatedByOtherProcess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit = 6
		var mu sync.Mutex
		used := 0
		win := time.Now().Truncate(10 * time.Second)
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			mu.Lock()
			defer mu.Unlock()
			if now := time.Now().Truncate(10 * time.Second); !now.Equal(win) {
				win, used = now, 0
			}
			if used >= limit {
				rate(h, limit, 0, win.Add(10*time.Second))
				h.Set("Retry-After", "10")
				return 429, problemBody(429, "rate_limit_exceeded")
			}
			used++
			rate(h, limit, limit-used, win.Add(10*time.Second))
			return 201, jobBody(fmt.Sprint("job_", n))
		})
		defer s.stop()
		store := budget.NewMemory(budget.PlanNamed("pro"))
		a := queue.NewScheduler(queue.Options{Store: store})
		b := queue.NewScheduler(queue.Options{Store: store})
		start := time.Now()
		steps := []struct {
			sc  *queue.Scheduler
			key string
		}{{a, "a1"}, {b, "b1"}, {a, "a2"}, {a, "a3"}, {a, "a4"}, {a, "a5"}}
		for _, st := range steps {
			if err := create(s, st.sc, st.key); err != nil {
				t.Fatal(err)
			}
		}
		if !time.Now().Truncate(10 * time.Second).Equal(start.Truncate(10 * time.Second)) {
			t.Errorf("the six requests took %v, past their window of six: A reserved more than 1 unit a request", time.Since(start))
		}
		if st := a.Stats(); st.HTTP429 != 0 {
			t.Errorf("%d 429s, want 0", st.HTTP429)
		}
	})
}
