package localbudget

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// reserveObserve is one decision and its settle: the cost the budget adds
// to every request.
func reserveObserve(b *testing.B, s budget.Store) {
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

// BenchmarkReserveObserve is the shared decision through the state file
// (compare redisbudget's BenchmarkReserveObserve).
func BenchmarkReserveObserve(b *testing.B) {
	reserveObserve(b, open(b, b.TempDir(), "bench", Options{Plan: budget.PlanNamed("pro")}))
}

// BenchmarkReserveObserveMemory is the in-process store, for comparison.
func BenchmarkReserveObserveMemory(b *testing.B) {
	reserveObserve(b, budget.NewMemory(budget.PlanNamed("pro")))
}
