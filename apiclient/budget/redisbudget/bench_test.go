package redisbudget

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/internal/redistest"
)

// BenchmarkReserveObserve measures one shared decision and its settle
// against a local redis-server: the overhead the limiter adds per request.
func BenchmarkReserveObserve(b *testing.B) {
	srv := redistest.Start(b, redistest.Options{})
	s, err := New(bg, srv.URL(), "bench", testOptions(budget.PlanNamed("pro")))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := t0
	if g, _ := s.Reserve(bg, budget.Request{Now: now, Cost: 1}); g.OK {
		_ = s.Observe(bg, answer(now, 1, 1<<40, 1<<40-1, 24*time.Hour))
	}
	b.ResetTimer()
	for b.Loop() {
		g, err := s.Reserve(bg, budget.Request{Now: now, Cost: 1})
		if err != nil || !g.OK {
			b.Fatalf("%+v %v", g, err)
		}
		if err := s.Observe(bg, budget.Observation{Sent: now, Received: now, Settle: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
