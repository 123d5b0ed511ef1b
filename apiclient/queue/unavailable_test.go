package queue_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// A single 503 with Retry-After among answers is one request's fault (a
// proxy's page): that request waits its Retry-After, the others go on.
// Four sent in a row mean the service is down: the org waits (fewer come
// by chance too often, see downAfter). Holding the whole
// org 5 s for every such page cost half the allowance under 20 % faults
// (BenchmarkSubmit, faults scenario).
func TestA503RetryAfterHoldsItsRequestThenTheOrg(t *testing.T) {
	for _, tc := range []struct {
		name      string
		down      int // how many 503s in a row
		otherWait bool
	}{{"one 503: only its request waits", 1, false}, {"three 503s in a row: only theirs wait", 3, false}, {"four 503s in a row: the org waits", 4, true}} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var told time.Time
				s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
					rate(h, 60, 50, time.Now().Add(30*time.Second))
					if n < tc.down {
						told = time.Now()
						h.Set("Retry-After", "5")
						h.Set("Content-Type", "text/html")
						return 503, "<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
					}
					return 201, jobBody("job_1")
				})
				defer s.stop()
				sc := sched()
				var wg sync.WaitGroup
				for i := range tc.down {
					wg.Go(func() { _ = create(s, sc, "key-a"+string(rune('0'+i))) })
					synctest.Wait()
				}
				if err := create(s, sc, "key-b"); err != nil {
					t.Fatal(err)
				}
				var b time.Time
				for _, a := range s.arrivals() {
					if a.key == "key-b" {
						b = a.at
					}
				}
				waited := b.Sub(told) >= 5*time.Second
				if waited != tc.otherWait {
					t.Errorf("another job went out %v after the last 503 (Retry-After 5s); want it held: %v", b.Sub(told), tc.otherWait)
				}
				wg.Wait()
				for _, a := range s.arrivals()[tc.down:] {
					if a.key != "key-b" && a.at.Sub(told) < 5*time.Second {
						t.Errorf("the job that got the 503 retried %v after it", a.at.Sub(told))
					}
				}
			})
		})
	}
}

// "In a row" is the order the requests went out, not the order their
// answers came back: a proxy's page comes back at once, the API's answer
// later, so four pages among a window's requests sent at once arrive one
// after another with the service up. Holding the org on them idled a 2 s
// window and more under 20 % faults (BenchmarkSubmit).
func TestA503RunIsCountedInSendOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var told time.Time
		page := map[int]bool{3: true, 5: true, 7: true, 9: true} // every other one of a burst
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			rate(h, 60, 59-n, time.Now().Add(30*time.Second))
			if page[n] {
				told = time.Now()
				h.Set("Retry-After", "5")
				h.Set("Content-Type", "text/html")
				return 503, "<html><head><title>503 Service Temporarily Unavailable</title></head></html>"
			}
			if n >= 2 {
				time.Sleep(time.Second) // the API's answer takes a while
			}
			return 201, jobBody(fmt.Sprint("job_", n))
		})
		defer s.stop()
		sc := sched()
		for i := range 2 { // learn the window and a create's cost
			if err := create(s, sc, fmt.Sprint("warm", i)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() { _ = create(s, sc, fmt.Sprint("burst", i)) })
			synctest.Wait()
		}
		if err := create(s, sc, "key-b"); err != nil {
			t.Fatal(err)
		}
		for _, a := range s.arrivals() {
			if a.key == "key-b" && a.at.Sub(told) >= 5*time.Second {
				t.Errorf("another job went out %v after four 503 pages answered one after another but sent among other requests; want it not held", a.at.Sub(told))
			}
		}
		wg.Wait()
	})
}
