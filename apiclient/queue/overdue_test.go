package queue_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// A stall among a window's creates, given up once creates sent after it
// are answered and retried with the same key.
//
// Never counted (it never reached the API): the answer to the window's
// last create, granted after it was given up, shows that, so its unit
// comes back: all 10 units are used in that window, with no 429. Waiting
// for the stall's answer used 8 (the last unit waited past the window's
// end); keeping its unit spent until the stall deadline, 9.
//
// Counted when it arrived, then held: its unit does not come back, since
// the answers after it state the server's count, so neither its retry nor
// the window's last create draws a 429 (giving a given-up attempt's unit
// back at once, or trusting its settle over the server's count, would
// send one request too many).
func TestAStallInAWindow(t *testing.T) {
	for _, tc := range []struct {
		name    string
		counted bool // the server counted the stall when it arrived
		want    int  // creates counted in the stall's window
	}{{"never counted: every unit is used", false, 10}, {"counted on arrival: no 429", true, 10}} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { stallInAWindow(t, tc.counted, tc.want) })
		})
	}
}

func stallInAWindow(t *testing.T, countedOnArrival bool, want int) {
	const limit = 10
	window := 2 * time.Second
	var mu sync.Mutex
	counted := map[time.Time]int{}
	over, stalls := 0, 0
	release := make(chan struct{}) // memnet does not tell a handler its client left
	s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		w := time.Now().Truncate(window)
		stall := r.Header.Get("Idempotency-Key") == "stall" && stalls == 0 // its first attempt only
		if stall && !countedOnArrival {
			stalls++
			mu.Unlock()
			select { // never counted: the client gives up first
			case <-r.Context().Done():
			case <-release:
			}
			mu.Lock()
			return 0, ""
		}
		if counted[w] >= limit {
			over++
			rate(h, limit, 0, w.Add(window))
			h.Set("Retry-After", "2")
			return 429, problemBody(429, "rate_limit_exceeded")
		}
		counted[w]++
		if stall { // counted, then held
			stalls++
			mu.Unlock()
			select {
			case <-r.Context().Done():
			case <-release:
			}
			mu.Lock()
			return 0, ""
		}
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
	if got := counted[next]; got != want || over != 0 {
		t.Errorf("the window with the stall counted %d creates (429s %d); want %d and no 429", got, over, want)
	}
	if stalls != 1 {
		t.Errorf("the stall was held %d times; want once (then given up)", stalls)
	}
}
