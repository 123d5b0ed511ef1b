package redisbudget

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// TestReconnectInALaterWindow: Redis goes away in one window and comes back
// (empty) in a later one, in which the processes already spent their local
// shares. The state Redis is recreated from is the last one seen before the
// outage, a window that is over; reconnecting must bring the window the
// processes are in, with what they spent in it, or the recreated state
// hands out a fresh full window on top of the local shares (the 429s and
// the Retry-After violation seen in TestTimingE2E/SubmitE2ERedisOutage).
func TestReconnectInALaterWindow(t *testing.T) {
	srv := startRedis(t)
	ss := threeProcesses(t, srv.URL(), "acme")
	learn(t, ss[0], t0, 30, 29, 2*time.Second)
	eventually(t, 2*time.Second, "every process to count 3 peers", func() bool {
		return ss[0].Status().Peers == 3 && ss[1].Status().Peers == 3 && ss[2].Status().Peers == 3
	})
	for _, s := range ss {
		if _, err := s.Snapshot(bg); err != nil { // each has seen window 0
			t.Fatal(err)
		}
	}
	srv.Stop()
	hammer(t, ss, t0.Add(10*time.Millisecond)) // notices the outage: local shares of window 0

	// Window 1: each process hears the server state it (answers carry the
	// org's rate headers) and spends its local share.
	w1 := t0.Add(2*time.Second + budget.ResetMargin + 10*time.Millisecond)
	for i, s := range ss {
		if err := s.Observe(bg, answer(w1, 0, 30, 30, t0.Add(4*time.Second).Sub(w1))); err != nil {
			t.Fatalf("process %d: %v", i, err)
		}
	}
	granted := hammer(t, ss, w1)
	for i, s := range ss {
		if s.Status().Connected {
			t.Fatalf("process %d reconnected to a stopped Redis", i)
		}
	}

	srv.Restart()
	eventually(t, 3*time.Second, "all 3 processes to reconnect", func() bool { return allConnected(ss) })
	late := hammer(t, ss, t0.Add(3900*time.Millisecond))
	if granted+late > 30 {
		t.Fatalf("window 1: %d granted at local shares + %d after Redis came back = %d, more than the limit 30", granted, late, granted+late)
	}
	t.Logf("window 1: %d at local shares, %d after reconnecting", granted, late)

	// The next window is whole again.
	w2 := hammer(t, ss, t0.Add(4*time.Second+budget.ResetMargin)) + hammer(t, ss, t0.Add(5900*time.Millisecond))
	if w2 < 27 || w2 > 30 {
		t.Fatalf("window 2: granted %d, want the (nearly) full 30", w2)
	}
}
