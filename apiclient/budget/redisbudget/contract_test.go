package redisbudget

import (
	"time"

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

// TestContractOwnerLost loses an owner both ways Redis does: a process
// killed mid-request and reaped after ProcessTTL, and a store cut off
// from Redis that goes on with a local share.
func TestContractOwnerLost(t *testing.T) {
	t.Run("reaped", func(t *testing.T) {
		srv := startRedis(t)
		budgettest.RunOwnerLost(t, func(t *testing.T, p budget.Plan) (budget.Store, budget.Store, func() time.Duration) {
			o := testOptions(p)
			o.ProcessTTL = 5 * time.Second // on the reference clock
			owner := newStore(t, patientURL(srv.URL()), "contract "+t.Name(), o)
			survivor := newStore(t, patientURL(srv.URL()), "contract "+t.Name(), o)
			return owner, survivor, func() time.Duration {
				owner.crash()
				return o.ProcessTTL
			}
		})
	})
	t.Run("degraded", func(t *testing.T) {
		budgettest.RunOwnerLost(t, func(t *testing.T, p budget.Plan) (budget.Store, budget.Store, func() time.Duration) {
			srv := startRedis(t)
			s := newStore(t, patientURL(srv.URL()), "contract "+t.Name(), testOptions(p))
			return s, s, func() time.Duration {
				srv.Stop()
				return 0
			}
		})
	})
}
