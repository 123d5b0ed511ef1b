//go:build unix

package redisbudget

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/caps"
	"github.com/abtop-dev/abtop/internal/redistest"
)

// TestCapReservationsSurviveAnOutage: cap reservations a process makes
// while Redis is away (and releases it makes meanwhile) reach the shared
// usage when it reconnects, whether Redis kept its data (frozen, then
// answering again) or lost it (killed, restarted empty), so another
// process cannot spend them a second time.
func TestCapReservationsSurviveAnOutage(t *testing.T) {
	outages := []struct {
		name        string
		down, up    func(*redistest.Server)
		storeURL    func(string) string
		opTimeoutOK bool // keep testOptions' patient OpTimeout
	}{
		{"frozen", (*redistest.Server).Pause, (*redistest.Server).Resume, func(u string) string { return u }, false},
		{"restarted empty", (*redistest.Server).Stop, (*redistest.Server).Restart, patientURL, true},
	}
	c := &caps.Caps{DailyCredits: 10, Zone: time.UTC}
	for _, o := range outages {
		t.Run(o.name, func(t *testing.T) {
			srv := startRedis(t)
			opts := testOptions(budget.PlanNamed("pro"))
			if !o.opTimeoutOK {
				opts.OpTimeout = 0 // the defaults: a frozen Redis degrades the store within a second
			}
			a := newStore(t, o.storeURL(srv.URL()), "acme", opts)
			b := newStore(t, patientURL(srv.URL()), "acme", testOptions(budget.PlanNamed("pro")))
			job := func(s *Store) budget.Grant {
				t.Helper()
				g, err := s.Reserve(bg, budget.Request{Now: t0, Cost: 1, Write: true, Credits: 1, Caps: c})
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			done := func(s *Store, release caps.Reservation) {
				t.Helper()
				ob := answer(t0, 1, 60, 50, time.Minute)
				ob.Write, ob.CapRelease = true, release
				if err := s.Observe(bg, ob); err != nil {
					t.Fatal(err)
				}
			}
			var shared []budget.Grant
			for range 3 {
				g := job(a)
				if !g.OK {
					t.Fatalf("job through Redis: %+v", g)
				}
				done(a, caps.Reservation{})
				shared = append(shared, g)
			}

			o.down(srv)
			var local []budget.Grant
			for range 3 { // a's share of the 7 left, with b: 3.5
				g := job(a)
				if !g.OK {
					t.Fatalf("job during the outage: %+v", g)
				}
				local = append(local, g)
			}
			if a.Status().Connected {
				t.Fatalf("status %q during the outage", a.Status())
			}
			for i, g := range local {
				release := caps.Reservation{}
				if i == 0 {
					release = g.Cap // refused without a charge
				}
				done(a, release)
			}
			done(a, shared[0].Cap) // a job granted through Redis, refunded during the outage
			// Net: 3 − 1 through Redis, 3 − 1 alone: 4 of 10 reserved.

			o.up(srv)
			eventually(t, 5*time.Second, "a to reconnect", func() bool { return a.Status().Connected })
			st, err := a.Snapshot(bg)
			if err != nil {
				t.Fatal(err)
			}
			if u := st.CapUsage; u.DayCredits != 4 || u.DayJobs != 4 {
				t.Fatalf("shared cap usage after reconnecting: %+v, want 4 credits and 4 jobs", u)
			}
			eventually(t, 5*time.Second, "b to be connected", func() bool { return b.Status().Connected })
			for i := range 6 {
				if g := job(b); !g.OK {
					t.Fatalf("b's job %d of the 6 left under the cap: %+v", i+1, g)
				}
			}
			if g := job(b); g.OK || g.Reason != budget.ReasonCap {
				t.Fatalf("b's 7th job: %+v, want refused at the cap (a's reservations counted)", g)
			}
		})
	}
}
