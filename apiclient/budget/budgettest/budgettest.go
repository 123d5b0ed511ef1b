// Package budgettest is the contract every budget.Store must pass. Both the
// in-process store and shared backends run it:
//
//	func TestContract(t *testing.T) {
//		budgettest.Run(t, func(t *testing.T, p budget.Plan) budget.Store { return newStore(t, p) })
//	}
//
// newStore must return an empty store for one organization that starts from
// budget.NewState(p). No test reads a clock: all instants are synthetic.
package budgettest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// NewStore builds a fresh, empty store starting from plan p.
type NewStore func(t *testing.T, p budget.Plan) budget.Store

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// Run runs the contract.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, NewStore)
	}{
		{"one request in flight before the first answer", beforeFirstAnswer},
		{"spends the window and never refills before the reset", windowAndReset},
		{"Retry-After embargo is never early", embargo},
		{"quota stops writes, not reads, until its reset", quota},
		{"credits block jobs until a balance shows enough", credits},
		{"concurrency slots with leases", slots},
		{"cancel gives the cost back", cancel},
		{"parallel reservations never overspend", parallel},
		{"exclusive requests go out alone", exclusive},
		{"low-priority requests leave a tenth of the window", low},
		{"caps are reserved, refuse past the cap and are released", capsGate},
		{"a rate learned from hint-less 429s is kept and paces grants", learned},
		{"an overdue answer stays spent but no longer holds the last unit", overdue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore) })
	}
}

var ctx = context.Background()

func reserve(t *testing.T, s budget.Store, r budget.Request) budget.Grant {
	t.Helper()
	g, err := s.Reserve(ctx, r)
	if err != nil {
		t.Fatalf("Reserve(%+v): %v", r, err)
	}
	return g
}

func observe(t *testing.T, s budget.Store, o budget.Observation) {
	t.Helper()
	if err := s.Observe(ctx, o); err != nil {
		t.Fatalf("Observe: %v", err)
	}
}

// answer is a plain 200 of a window of limit with remaining left that
// resets resetAfter after received.
func answer(sent, received time.Time, limit, remaining int64, resetAfter time.Duration) budget.Observation {
	return budget.Observation{
		Sent: sent, Received: received, Settle: 1,
		HasRate: true, Limit: limit, Remaining: remaining,
		HasReset: true, ResetAfter: resetAfter,
		WindowID: received.Add(resetAfter).Truncate(time.Second),
	}
}

func beforeFirstAnswer(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	if g := reserve(t, s, budget.Request{Now: t0, Cost: 1}); !g.OK {
		t.Fatalf("first request refused: %+v", g)
	}
	if g := reserve(t, s, budget.Request{Now: t0, Cost: 1}); g.OK || g.Reason != budget.ReasonRate || g.Wait <= 0 {
		t.Fatalf("second request before any answer: got %+v, want a rate wait", g)
	}
}

func windowAndReset(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	g := reserve(t, s, budget.Request{Now: t0, Cost: 1})
	rcv := t0.Add(5 * time.Millisecond)
	observe(t, s, answer(t0, rcv, 5, 4, 2*time.Second))
	granted := 0
	now := rcv
	for i := 0; i < 20; i++ {
		g = reserve(t, s, budget.Request{Now: now, Cost: 1})
		if g.OK {
			granted++
			observe(t, s, budget.Observation{Sent: now, Received: now, Settle: 1})
			continue
		}
		if g.Wait <= 0 {
			t.Fatalf("refused without a wait: %+v", g)
		}
		next := now.Add(g.Wait)
		if next.After(rcv.Add(2 * time.Second)) {
			break
		}
		now = next
	}
	if granted != 4 {
		t.Fatalf("granted %d in the first window, want the 4 the server left", granted)
	}
	end := rcv.Add(2 * time.Second)
	if g := reserve(t, s, budget.Request{Now: end.Add(-time.Millisecond), Cost: 1}); g.OK {
		t.Fatalf("refilled before the stated reset")
	}
	if g := reserve(t, s, budget.Request{Now: end.Add(budget.ResetMargin), Cost: 1}); !g.OK {
		t.Fatalf("no refill after the reset: %+v", g)
	}
}

func embargo(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	g := reserve(t, s, budget.Request{Now: t0, Cost: 1})
	o := answer(t0, t0, 60, 0, 50*time.Second)
	o.RetryAfter, o.RateLimited = 30*time.Second, true
	_ = g
	observe(t, s, o)
	for _, at := range []time.Duration{0, 29 * time.Second, 30 * time.Second, 30*time.Second + budget.EmbargoMargin - time.Nanosecond} {
		g := reserve(t, s, budget.Request{Now: t0.Add(at), Cost: 1})
		if g.OK || g.Reason != budget.ReasonRetryAfter {
			t.Fatalf("at +%v: %+v, want a Retry-After wait", at, g)
		}
		if got := t0.Add(at).Add(g.Wait); got.Before(t0.Add(30 * time.Second)) {
			t.Fatalf("at +%v told to come back at %v, before the embargo", at, got)
		}
	}
	// A shorter Retry-After later never shortens the embargo.
	observe(t, s, budget.Observation{Received: t0.Add(time.Second), RetryAfter: time.Second})
	if g := reserve(t, s, budget.Request{Now: t0.Add(3 * time.Second), Cost: 1}); g.OK {
		t.Fatal("a shorter Retry-After shortened the embargo")
	}
}

func quota(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("team"))
	reserve(t, s, budget.Request{Now: t0, Cost: 1, Write: true})
	o := answer(t0, t0, 60, 59, 60*time.Second)
	o.Write = true
	o.HasQuota, o.QuotaRemaining, o.QuotaResetAfter = true, 0, 48*time.Hour
	observe(t, s, o)
	if g := reserve(t, s, budget.Request{Now: t0.Add(time.Second), Cost: 1, Write: true}); g.OK || g.Reason != budget.ReasonQuota || g.Wait < 47*time.Hour {
		t.Fatalf("write with no quota left: %+v, want a quota wait until the reset", g)
	}
	if g := reserve(t, s, budget.Request{Now: t0.Add(time.Second), Cost: 1}); !g.OK {
		t.Fatalf("read refused by the write quota: %+v", g)
	}
	observe(t, s, budget.Observation{Sent: t0.Add(time.Second), Received: t0.Add(time.Second), Settle: 1})
	if g := reserve(t, s, budget.Request{Now: t0.Add(48*time.Hour + time.Second), Cost: 1, Write: true}); !g.OK {
		t.Fatalf("write refused after the quota reset: %+v", g)
	}
}

func credits(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	reserve(t, s, budget.Request{Now: t0, Cost: 1})
	o := answer(t0, t0, 60, 59, 60*time.Second)
	o.HasCredits, o.Credits = true, 2.5
	observe(t, s, o)
	if g := reserve(t, s, budget.Request{Now: t0, Cost: 1, Write: true, Credits: 3}); g.OK || g.Reason != budget.ReasonCredits || !g.Blocked {
		t.Fatalf("job costing 3 with 2.5 credits: %+v, want blocked on credits", g)
	}
	observe(t, s, budget.Observation{Received: t0, CreditsExhausted: true})
	observe(t, s, budget.Observation{Received: t0, HasCredits: true, Credits: 100})
	if g := reserve(t, s, budget.Request{Now: t0.Add(time.Second), Cost: 1, Write: true, Credits: 3}); !g.OK {
		t.Fatalf("job refused after credits were added: %+v", g)
	}
}

func slots(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	acq := func(h string, at time.Duration) bool {
		ok, err := s.AcquireSlot(ctx, h, t0.Add(at), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !acq("a", 0) || !acq("b", 0) || !acq("c", 0) {
		t.Fatal("slots refused without a known limit")
	}
	observe(t, s, budget.Observation{Received: t0, ConcurrencyLimit: 3})
	if acq("d", time.Second) {
		t.Fatal("4th slot granted with a limit of 3")
	}
	if !acq("a", time.Second) {
		t.Fatal("renewing a held slot refused")
	}
	if err := s.ReleaseSlot(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if !acq("d", 2*time.Second) {
		t.Fatal("slot not freed by release")
	}
	if acq("e", 5*time.Second) {
		t.Fatal("slot granted before any lease expired")
	}
	if !acq("e", 10*time.Second) { // c's lease (from 0 s) has expired
		t.Fatal("expired lease not reclaimed")
	}
}

func cancel(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	reserve(t, s, budget.Request{Now: t0, Cost: 1})
	observe(t, s, answer(t0, t0, 10, 9, 60*time.Second))
	before, _ := s.Snapshot(ctx)
	g := reserve(t, s, budget.Request{Now: t0, Cost: 3})
	if !g.OK {
		t.Fatalf("refused: %+v", g)
	}
	if err := s.Cancel(ctx, g); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Snapshot(ctx)
	if after.Remaining != before.Remaining || after.InFlight != before.InFlight {
		t.Fatalf("cancel: remaining %d→%d, in flight %d→%d", before.Remaining, after.Remaining, before.InFlight, after.InFlight)
	}
}

func parallel(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	reserve(t, s, budget.Request{Now: t0, Cost: 1})
	observe(t, s, answer(t0, t0, 50, 40, 60*time.Second))
	var mu sync.Mutex
	granted := int64(0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				g, err := s.Reserve(ctx, budget.Request{Now: t0.Add(time.Second), Cost: 1})
				if err != nil {
					t.Error(err)
					return
				}
				if g.OK {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if granted > 40 {
		t.Fatalf("granted %d with 40 remaining", granted)
	}
	if granted < 39 {
		t.Fatalf("granted only %d of 40", granted)
	}
}

func exclusive(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	reserve(t, s, budget.Request{Now: t0, Cost: 1})
	observe(t, s, answer(t0, t0, 60, 59, 60*time.Second))
	if g := reserve(t, s, budget.Request{Now: t0, Cost: 1}); !g.OK {
		t.Fatalf("refused: %+v", g)
	}
	if g := reserve(t, s, budget.Request{Now: t0, Cost: 3, Exclusive: true}); g.OK {
		t.Fatal("an exclusive request went out while another was in flight")
	}
	observe(t, s, budget.Observation{Sent: t0, Received: t0, Settle: 1})
	if g := reserve(t, s, budget.Request{Now: t0, Cost: 3, Exclusive: true}); !g.OK {
		t.Fatalf("exclusive request refused with nothing in flight: %+v", g)
	}
}

func low(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	reserve(t, s, budget.Request{Now: t0, Cost: 1})
	observe(t, s, answer(t0, t0, 100, 10, 60*time.Second))
	if g := reserve(t, s, budget.Request{Now: t0, Cost: 1, Low: true}); g.OK || g.Reason != budget.ReasonRate {
		t.Fatalf("poll with 10 of 100 left: %+v, want a rate wait", g)
	}
	if g := reserve(t, s, budget.Request{Now: t0, Cost: 1}); !g.OK {
		t.Fatalf("normal request refused: %+v", g)
	}
}

// learned: a 429 with no hint teaches a rate (budget/adaptive.go) that the
// store keeps with the rest of the state, so every process sharing it
// paces by it, and that a later reserve obeys.
func learned(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	g := reserve(t, s, budget.Request{Now: t0, Cost: 1})
	observe(t, s, answer(t0, t0, 100, 99, 10*time.Second))
	now := t0
	for range 5 { // a burst: five grants at once
		if g = reserve(t, s, budget.Request{Now: now, Cost: 1}); !g.OK {
			t.Fatalf("burst refused: %+v", g)
		}
	}
	observe(t, s, budget.Observation{Sent: now, Received: now, Settle: 1, RateLimited: true, Hintless: true})
	st, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Learned <= 0 || st.Learned >= 6 || st.LearnedCut.IsZero() {
		t.Fatalf("learned %v (cut %v), want below the 6/s just sent", st.Learned, st.LearnedCut)
	}
	if g := reserve(t, s, budget.Request{Now: now, Cost: 1}); g.OK || g.Reason != budget.ReasonRate {
		t.Fatalf("reserve right after the cut: %+v, want a rate wait", g)
	}
	gap := time.Duration(float64(time.Second) / st.Learned)
	if g := reserve(t, s, budget.Request{Now: now.Add(gap + time.Millisecond), Cost: 1}); !g.OK {
		t.Fatalf("reserve one learned gap later: %+v", g)
	}
}

// overdue: a unit whose answer is overdue (Observation.Overdue) stays
// spent, but the window's last unit stops waiting for its answer; the
// store keeps the mark with the rest of the state until the answer.
func overdue(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	reserve(t, s, budget.Request{Now: t0, Cost: 1})
	observe(t, s, answer(t0, t0, 100, 2, 60*time.Second))
	now := t0.Add(59 * time.Second) // past any probe of the window's end
	stall := reserve(t, s, budget.Request{Now: now, Cost: 1})
	if !stall.OK {
		t.Fatalf("refused: %+v", stall)
	}
	if g := reserve(t, s, budget.Request{Now: now, Cost: 1}); g.OK {
		t.Fatalf("the last unit went with an answer in flight")
	}
	observe(t, s, budget.Observation{Overdue: stall.Cost})
	if st, err := s.Snapshot(ctx); err != nil || st.Overdue != 1 || st.InFlight != 1 {
		t.Fatalf("after the mark: overdue %d, in flight %d (%v); want 1, 1", st.Overdue, st.InFlight, err)
	}
	g := reserve(t, s, budget.Request{Now: now, Cost: 1})
	if !g.OK {
		t.Fatalf("the last unit waits for an overdue answer: %+v", g)
	}
	if g := reserve(t, s, budget.Request{Now: now, Cost: 1}); g.OK {
		t.Fatalf("the overdue unit was spent twice")
	}
	observe(t, s, budget.Observation{Sent: now, Received: now, Settle: stall.Cost, Overdue: -stall.Cost})
	if st, err := s.Snapshot(ctx); err != nil || st.Overdue != 0 || st.InFlight != 1 {
		t.Fatalf("after its answer: overdue %d, in flight %d (%v); want 0, 1", st.Overdue, st.InFlight, err)
	}
}
