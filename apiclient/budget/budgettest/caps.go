package budgettest

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/caps"
)

// capsGate: the user's caps are reserved in the store, refuse the job that
// would pass them until they lift, and take back what Cancel and
// CapRelease return. The state a store keeps must carry the usage from
// one call to the next (a shared store persists it).
func capsGate(t *testing.T, newStore NewStore) {
	s := newStore(t, budget.PlanNamed("pro"))
	reserve(t, s, budget.Request{Now: t0, Cost: 1})
	observe(t, s, answer(t0, t0, 60, 59, 60*time.Second))
	c := &caps.Caps{DailyCredits: 3, Zone: time.UTC}
	job := func(at time.Time) budget.Grant {
		return reserve(t, s, budget.Request{Now: at, Cost: 1, Write: true, Credits: 1, Caps: c})
	}
	settle := func(at time.Time, release caps.Reservation) {
		o := answer(at, at, 60, 50, 30*time.Second)
		o.Write, o.CapRelease = true, release
		observe(t, s, o)
	}
	at := t0.Add(time.Second)
	var kept []budget.Grant
	for i := range 3 {
		g := job(at)
		if !g.OK || g.Cap.Price != 1 {
			t.Fatalf("job %d under the cap: %+v", i+1, g)
		}
		settle(at, caps.Reservation{})
		kept = append(kept, g)
	}
	g := job(at)
	if g.OK || g.Reason != budget.ReasonCap || !g.Blocked || g.Reached == nil || g.Reached.Kind != caps.DailyCredits {
		t.Fatalf("4th job with a daily cap of 3: %+v, want blocked on the cap", g)
	}
	if want := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC); !g.Reached.Lifts.Equal(want) || g.Wait != want.Sub(at) {
		t.Fatalf("cap lifts %v (wait %v), want %v", g.Reached.Lifts, g.Wait, want)
	}
	// A job refused without a charge gives its reservation back.
	settle(at, kept[2].Cap)
	g = job(at)
	if !g.OK {
		t.Fatalf("job after a release: %+v", g)
	}
	// A request that never left gives it back too.
	if err := s.Cancel(ctx, g); err != nil {
		t.Fatal(err)
	}
	if g = job(at); !g.OK {
		t.Fatalf("job after a cancel: %+v", g)
	}
	settle(at, caps.Reservation{})
	if g = job(at); g.OK {
		t.Fatalf("job past the cap after release and cancel: %+v", g)
	}
	st, err := s.Snapshot(ctx)
	if err != nil || st.CapUsage.DayCredits != 3 || st.CapUsage.Day != "2026-11-24" {
		t.Fatalf("snapshot cap usage %+v (%v), want 3 credits on 2026-11-24", st.CapUsage, err)
	}
	// A new day starts afresh; reads never touch the caps.
	if g = job(time.Date(2026, 11, 25, 0, 0, 1, 0, time.UTC)); !g.OK {
		t.Fatalf("job on the next day: %+v", g)
	}
}
