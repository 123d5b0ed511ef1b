package budgettest

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// NewOwnerLost builds two stores of one organization, owner and survivor
// (a backend may return one store twice), and lose, which loses owner's
// requests in flight the way the backend does: a killed process reaped
// by the others, a store cut off from its shared state. The survivor's
// decisions made after more than the returned time has passed since
// owner's last see the loss. The in-process store has no owners to lose.
type NewOwnerLost func(t *testing.T, p budget.Plan) (owner, survivor budget.Store, lose func() (after time.Duration))

// RunOwnerLost runs the contract of units leaving InFlight without an
// answer (State.Reclaim).
func RunOwnerLost(t *testing.T, newStores NewOwnerLost) {
	t.Run("an overdue mark leaves with its lost owner", func(t *testing.T) { overdueLost(t, newStores) })
}

// overdueLost: owner's overdue request is lost with it. Its mark must go
// too: left behind, it would count the survivor's next request as
// overdue, and the window's last unit would go without that answer.
func overdueLost(t *testing.T, newStores NewOwnerLost) {
	owner, survivor, lose := newStores(t, budget.PlanNamed("pro"))
	reserve(t, owner, budget.Request{Now: t0, Cost: 1})
	observe(t, owner, answer(t0, t0, 100, 3, 60*time.Second))
	now := t0.Add(50 * time.Second)
	stall := reserve(t, owner, budget.Request{Now: now, Cost: 1})
	if !stall.OK {
		t.Fatalf("refused: %+v", stall)
	}
	observe(t, owner, budget.Observation{Received: now, Overdue: stall.Cost})
	now = now.Add(lose() + time.Second)
	fresh := reserve(t, survivor, budget.Request{Now: now, Cost: 1})
	if !fresh.OK {
		t.Fatalf("refused: %+v", fresh)
	}
	if g := reserve(t, survivor, budget.Request{Now: now, Cost: 1}); g.OK {
		st, _ := survivor.Snapshot(ctx)
		t.Fatalf("the last unit went without the answer of a request in flight (in flight %d, overdue %d)", st.InFlight, st.Overdue)
	}
	// The wait was for the answers in flight, nothing else. A store that
	// lost only its shared state still awaits the stall's own answer
	// (and may count the first answers against it): it comes first.
	if owner == survivor {
		observe(t, owner, budget.Observation{Sent: now, Received: now, Settle: stall.Cost, Overdue: -stall.Cost})
	}
	observe(t, survivor, budget.Observation{Sent: now, Received: now, Settle: fresh.Cost})
	if g := reserve(t, survivor, budget.Request{Now: now, Cost: 1}); !g.OK {
		t.Fatalf("the last unit after the answer: %+v", g)
	}
}
