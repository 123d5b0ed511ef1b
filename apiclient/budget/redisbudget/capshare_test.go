//go:build unix

package redisbudget

import (
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/caps"
)

// capJob reserves a job of price credits against c at t0 on s.
func capJob(t *testing.T, s *Store, c *caps.Caps, price float64) budget.Grant {
	t.Helper()
	g, err := s.Reserve(bg, budget.Request{Now: t0, Cost: 1, Write: true, Credits: price, Caps: c})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// capDone settles a job's unit (a window of 600 that a minute ends: the
// rate never stops these tests), giving its cap reservation back if set.
func capDone(t *testing.T, s *Store, release caps.Reservation) {
	t.Helper()
	ob := answer(t0, 1, 600, 500, time.Minute)
	ob.Write, ob.CapRelease = true, release
	if err := s.Observe(bg, ob); err != nil {
		t.Fatal(err)
	}
}

// TestCapSharesWhileRedisIsAway: with Redis gone, three processes split
// what is left of a daily credit cap (30, 12 used) as they split rates:
// each reserves at most a third of the 18 left, so once they hand their
// reservations back the shared usage is within the cap. A job over the
// share but within the cap waits for Redis; only a job over the cap itself
// is said never to fit.
func TestCapSharesWhileRedisIsAway(t *testing.T) {
	srv := startRedis(t)
	ss := threeProcesses(t, srv.URL(), "acme")
	c := &caps.Caps{DailyCredits: 30, Zone: time.UTC}
	for i := range 6 { // 12 of 30 used, through Redis
		s := ss[i%3]
		if g := capJob(t, s, c, 2); !g.OK {
			t.Fatalf("job %d through Redis: %+v", i, g)
		}
		capDone(t, s, caps.Reservation{})
	}
	eventually(t, 2*time.Second, "every process to count 3 peers", func() bool {
		return ss[0].Status().Peers == 3 && ss[1].Status().Peers == 3 && ss[2].Status().Peers == 3
	})
	for _, s := range ss {
		if _, err := s.Snapshot(bg); err != nil { // each has seen the 12 used
			t.Fatal(err)
		}
	}

	srv.Stop()
	// Over the share (6) but within what is left (18): waits for Redis.
	g := capJob(t, ss[0], c, 8)
	if ss[0].Status().Connected {
		t.Fatal("process 0 still connected with Redis stopped")
	}
	if g.OK || g.Blocked || g.Reason != ReasonCapShare || g.Wait <= 0 || g.Reached == nil || g.Reached.Never || !g.Reached.Shared {
		t.Fatalf("job of 8 over the share of 6: %+v (reached %+v), want a wait for the cap share", g, g.Reached)
	}
	if msg := g.Reached.Message(t0); !strings.Contains(msg, "cap share while Redis is away") || strings.Contains(msg, "raise the cap") {
		t.Errorf("message for a job over the share: %q", msg)
	}
	// Over the cap itself: never fits, whatever the share.
	if g := capJob(t, ss[0], c, 31); g.OK || !g.Blocked || g.Reached == nil || !g.Reached.Never {
		t.Fatalf("job of 31 over the cap of 30: %+v, want blocked, never fitting", g)
	}

	var reserved float64
	for i, s := range ss {
		for n := 0; ; n++ {
			g := capJob(t, s, c, 2)
			if !g.OK {
				if g.Reason != ReasonCapShare {
					t.Errorf("process %d refused for %q, want the cap share", i, g.Reason)
				}
				break
			}
			if n > 20 {
				t.Fatalf("process %d reserved more than 20 jobs of 2 while degraded", i)
			}
			reserved += g.Cap.Price
			capDone(t, s, caps.Reservation{})
		}
	}
	if reserved > 18 {
		t.Fatalf("3 degraded processes reserved %v credits, more than the 18 left under the cap", reserved)
	}
	if reserved < 18 {
		t.Errorf("3 degraded processes reserved %v credits of the 18 left (shares of 6: want all)", reserved)
	}

	srv.Restart()
	eventually(t, 5*time.Second, "all 3 processes to reconnect", func() bool { return allConnected(ss) })
	st, err := ss[1].Snapshot(bg)
	if err != nil {
		t.Fatal(err)
	}
	if u := st.CapUsage; u.DayCredits > 30 || u.DayCredits != 12+reserved {
		t.Fatalf("shared usage after reconnecting: %+v, want 12 + %v, within the cap 30", u, reserved)
	}
	if g := capJob(t, ss[2], c, 2); g.OK || !g.Blocked || g.Reason != budget.ReasonCap {
		t.Fatalf("a job above the cap after reconnecting: %+v, want refused at the cap", g)
	}
}

// TestCapReleaseOfARedisGrantCanceledWhileAway: a job Redis granted whose
// request is canceled during the outage (its units are owed to Redis)
// gives its cap reservation back when the store reconnects, once: the
// shared usage keeps the other jobs' reservations.
func TestCapReleaseOfARedisGrantCanceledWhileAway(t *testing.T) {
	srv := startRedis(t)
	opts := testOptions(budget.PlanNamed("pro"))
	opts.OpTimeout = 0 // the defaults: a frozen Redis degrades the store within a second
	a := newStore(t, srv.URL(), "acme", opts)
	c := &caps.Caps{DailyCredits: 10, DailyJobs: 10, Zone: time.UTC}
	if g := capJob(t, a, c, 2); !g.OK { // sent and charged: stays reserved
		t.Fatalf("first job: %+v", g)
	}
	capDone(t, a, caps.Reservation{})
	held := capJob(t, a, c, 3) // granted by Redis, in flight when Redis freezes
	if !held.OK {
		t.Fatalf("second job: %+v", held)
	}

	srv.Pause()
	// The Redis grant never left; nothing local is in flight, so its units
	// are owed to Redis.
	if err := a.Cancel(bg, held); err != nil {
		t.Fatal(err)
	}
	if a.Status().Connected {
		t.Fatalf("status %q during the outage", a.Status())
	}
	if g := capJob(t, a, c, 1); !g.OK { // decided locally
		t.Fatalf("job during the outage: %+v", g)
	}
	capDone(t, a, caps.Reservation{})

	srv.Resume()
	eventually(t, 5*time.Second, "a to reconnect", func() bool { return a.Status().Connected })
	st, err := a.Snapshot(bg)
	if err != nil {
		t.Fatal(err)
	}
	if u := st.CapUsage; u.DayCredits != 3 || u.DayJobs != 2 {
		t.Fatalf("shared usage after reconnecting: %+v, want 3 credits in 2 jobs (2 + 1; the canceled 3 given back once)", u)
	}
}
