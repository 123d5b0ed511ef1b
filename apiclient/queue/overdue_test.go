package queue_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// A stall among a window's creates costs that window nothing: once its
// answer is overdue and creates sent after it are answered, it is given
// up and retried with the same key; the answer to the window's last
// create, granted after that, shows the server never counted it, so its
// unit comes back: all 10 units are used in that window, with no 429.
// Waiting for the stall's answer used 8 (the last unit waited past the
// window's end); keeping its unit spent until the stall deadline, 9.
func TestAStallDoesNotCostItsWindowAUnit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit = 10
		window := 2 * time.Second
		var mu sync.Mutex
		counted := map[time.Time]int{}
		over, stalls := 0, 0
		release := make(chan struct{}) // memnet does not tell a handler its client left
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			mu.Lock()
			defer mu.Unlock()
			if r.Header.Get("Idempotency-Key") == "stall" && stalls == 0 { // its first attempt only
				stalls++
				mu.Unlock()
				select { // never counted: the client gives up first
				case <-r.Context().Done():
				case <-release:
				}
				mu.Lock()
				return 0, ""
			}
			w := time.Now().Truncate(window)
			if counted[w] >= limit {
				over++
				rate(h, limit, 0, w.Add(window))
				h.Set("Retry-After", "2")
				return 429, problemBody(429, "rate_limit_exceeded")
			}
			counted[w]++
			rate(h, limit, limit-counted[w], w.Add(window))
			return 201, jobBody(fmt.Sprint("job_", n))
		})
		defer s.stop()
		defer close(release)
		sc := sched()
		for i := range 4 { // answers that teach the stall deadline
			if err := create(s, sc, fmt.Sprint("warm", i)); err != nil {
				t.Fatal(err)
			}
		}
		next := time.Now().Truncate(window).Add(window)
		time.Sleep(time.Until(next) + 20*time.Millisecond)
		stalled := make(chan error, 1)
		go func() { stalled <- create(s, sc, "stall") }()
		synctest.Wait() // the stall is in flight
		for i := range limit - 1 {
			if err := create(s, sc, fmt.Sprint("k", i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := <-stalled; err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if got := counted[next]; got != limit || over != 0 {
			t.Errorf("the window with the stall counted %d creates (429s %d); want %d (every unit, the stall's retry too) and no 429",
				got, over, limit)
		}
	})
}
