//go:build unix

package redisbudget

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/redis/go-redis/v9"
)

// TestSlowRedisDegradesQuickly: a Redis that stops answering (SIGSTOP)
// costs one caller at most the short timeouts, then every decision is
// local at once; when it answers again the store reconnects by itself.
// Nothing here times the store: the first call must return (a bound of
// many timeouts, so a loaded machine cannot fail it, while a call without
// a timeout would hang), and the degraded calls must not reach Redis.
func TestSlowRedisDegradesQuickly(t *testing.T) {
	srv := startRedis(t)
	o := testOptions(budget.PlanNamed("pro"))
	o.OpTimeout = 0 // the defaults: 750 ms per operation, 250 ms per command
	s := newStore(t, srv.URL(), "acme", o)
	learn(t, s, t0, 60, 59, time.Minute)
	reads := &countReads{}
	s.rdb.AddHook(reads)

	srv.Pause()
	type result struct {
		g   budget.Grant
		err error
	}
	first := make(chan result, 1)
	go func() {
		g, err := s.Reserve(bg, budget.Request{Now: t0.Add(time.Second), Cost: 1})
		first <- result{g, err}
	}()
	select {
	case r := <-first:
		if r.err != nil || !r.g.OK {
			t.Fatalf("Reserve with Redis frozen: %+v, %v; want a local grant", r.g, r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Reserve with Redis frozen has not returned after 20 s: no timeout bounds it")
	}
	if s.Status().Connected {
		t.Fatalf("status %q while Redis is frozen", s.Status())
	}
	before := reads.n.Load()
	for range 10 {
		if _, err := s.Reserve(bg, budget.Request{Now: t0.Add(time.Second), Cost: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if n := reads.n.Load() - before; n != 0 {
		t.Errorf("10 degraded Reserves read the state from Redis %d times: callers must not wait on a frozen Redis", n)
	}

	srv.Resume()
	eventually(t, 5*time.Second, "reconnection after Redis answers again", func() bool { return s.Status().Connected })
}

// countReads counts the state reads (HMGET) a store sends: every decision
// made through Redis starts with one; heartbeats send none.
type countReads struct{ n atomic.Int64 }

func (c *countReads) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *countReads) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "hmget" {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (c *countReads) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
