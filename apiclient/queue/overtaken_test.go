package queue_test

import (
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

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
