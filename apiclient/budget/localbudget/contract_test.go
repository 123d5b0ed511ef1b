package localbudget

import (
	"time"

	"testing"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/budgettest"
)

// TestContract runs the budget.Store contract (the one budget.Memory and
// redisbudget pass) against a store in a fresh directory per case.
func TestContract(t *testing.T) {
	budgettest.Run(t, func(t *testing.T, p budget.Plan) budget.Store {
		return open(t, t.TempDir(), "contract", Options{Plan: p})
	})
}

// TestContractTwoStores runs it again through two stores of one org
// alternating: every decision must see what the other one did, as two
// processes would.
func TestContractTwoStores(t *testing.T) {
	budgettest.Run(t, func(t *testing.T, p budget.Plan) budget.Store {
		dir := t.TempDir()
		return &alternate{stores: [2]*Store{open(t, dir, "contract", Options{Plan: p}), open(t, dir, "contract", Options{Plan: p})}}
	})
}

// TestContractOwnerLost: a store whose process died (its alive file
// unlocked, as the kernel would) is reaped by the survivor.
func TestContractOwnerLost(t *testing.T) {
	budgettest.RunOwnerLost(t, func(t *testing.T, p budget.Plan) (budget.Store, budget.Store, func() time.Duration) {
		dir := t.TempDir()
		owner := open(t, dir, "contract", Options{Plan: p})
		survivor := open(t, dir, "contract", Options{Plan: p})
		return owner, survivor, func() time.Duration {
			if err := unlock(owner.aliveFile); err != nil {
				t.Fatal(err)
			}
			return owner.opts.ReapEvery
		}
	})
}
