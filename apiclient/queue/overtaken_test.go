package queue_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// A stall the server counted when it arrived (then held its answer) is
// given up like any overtaken attempt, but its unit does not come back:
// the answers after it state the server's count, so neither its retry
// nor the window's last create draws a 429 (a guard: giving a given-up
// attempt's unit back at once, or trusting its settle over the server's
// count, would send one request too many).
func TestAnOvertakenStallTheServerCountedDrawsNo429(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit = 10
		window := 2 * time.Second
		var mu sync.Mutex
		counted := map[time.Time]int{}
		over, stalls := 0, 0
		release := make(chan struct{})
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			mu.Lock()
			defer mu.Unlock()
			w := time.Now().Truncate(window)
			if counted[w] >= limit {
				over++
				rate(h, limit, 0, w.Add(window))
				h.Set("Retry-After", "2")
				return 429, problemBody(429, "rate_limit_exceeded")
			}
			counted[w]++
			if r.Header.Get("Idempotency-Key") == "stall" {
				if stalls++; stalls == 1 { // counted, then held
					mu.Unlock()
					select {
					case <-r.Context().Done():
					case <-release:
					}
					mu.Lock()
					return 0, ""
				}
			}
			rate(h, limit, limit-counted[w], w.Add(window))
			return 201, jobBody(fmt.Sprint("job_", n))
		})
		defer s.stop()
		defer close(release)
		sc := sched()
		for i := range 4 {
			if err := create(s, sc, fmt.Sprint("warm", i)); err != nil {
				t.Fatal(err)
			}
		}
		next := time.Now().Truncate(window).Add(window)
		time.Sleep(time.Until(next) + 20*time.Millisecond)
		stalled := make(chan error, 1)
		go func() { stalled <- create(s, sc, "stall") }()
		synctest.Wait()
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
		if over != 0 || counted[next] > limit {
			t.Errorf("%d 429s, %d counted in the stall's window; want none and at most %d", over, counted[next], limit)
		}
		if stalls != 2 {
			t.Errorf("the stalled create was sent %d times; want twice (given up once)", stalls)
		}
	})
}

// An answer that is only slow, with nothing sent after it answered, is
// not given up before the stall deadline: a service slow for everyone
// must not have every request sent twice.
func TestASlowAnswerNothingOvertookIsNotGivenUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			if r.Header.Get("Idempotency-Key") == "slow" {
				time.Sleep(1500 * time.Millisecond) // past overdue (500 ms), within the 2 s deadline
			}
			rate(h, 60, 59-n, time.Now().Add(30*time.Second))
			return 201, jobBody(fmt.Sprint("job_", n))
		})
		defer s.stop()
		sc := sched()
		for i := range 4 {
			if err := create(s, sc, fmt.Sprint("warm", i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := create(s, sc, "slow"); err != nil {
			t.Fatal(err)
		}
		sent := 0
		for _, a := range s.arrivals() {
			if a.key == "slow" {
				sent++
			}
		}
		if sent != 1 {
			t.Errorf("the slow create was sent %d times; want once", sent)
		}
	})
}
