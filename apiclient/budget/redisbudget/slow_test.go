//go:build unix

package redisbudget

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// TestSlowRedisDegradesQuickly: a Redis that stops answering (SIGSTOP)
// costs one caller at most the short timeouts, then every decision is
// local at once; when it answers again the store reconnects by itself.
func TestSlowRedisDegradesQuickly(t *testing.T) {
	srv := startRedis(t)
	o := testOptions(budget.PlanNamed("pro"))
	o.OpTimeout = 0 // the defaults: 750 ms per operation, 250 ms per command
	s := newStore(t, srv.URL(), "acme", o)
	learn(t, s, t0, 60, 59, time.Minute)

	srv.Pause()
	start := time.Now()
	g, err := s.Reserve(bg, budget.Request{Now: t0.Add(time.Second), Cost: 1})
	first := time.Since(start)
	if err != nil || !g.OK {
		t.Fatalf("Reserve with Redis frozen: %+v, %v; want a local grant", g, err)
	}
	if first > 2*time.Second {
		t.Errorf("first Reserve with Redis frozen took %v, want about the 250 ms read timeout", first)
	}
	if s.Status().Connected {
		t.Fatalf("status %q while Redis is frozen", s.Status())
	}
	start = time.Now()
	for range 10 {
		if _, err := s.Reserve(bg, budget.Request{Now: t0.Add(time.Second), Cost: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("10 degraded Reserves took %v: callers must not wait on a frozen Redis", d)
	}
	t.Logf("first call %v, then local", first.Round(time.Millisecond))

	srv.Resume()
	eventually(t, 5*time.Second, "reconnection after Redis answers again", func() bool { return s.Status().Connected })
}
