package redisbudget

import (
	"testing"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/budgettest"
)

// TestContract runs the budget.Store contract (the one budget.Memory
// passes) against a real redis-server, one fresh organization per case.
func TestContract(t *testing.T) {
	srv := startRedis(t)
	budgettest.Run(t, func(t *testing.T, p budget.Plan) budget.Store {
		s := newStore(t, patientURL(srv.URL()), "contract "+t.Name(), testOptions(p))
		if !s.Status().Connected {
			t.Fatalf("store not connected: %s", s.Status())
		}
		return s
	})
}
