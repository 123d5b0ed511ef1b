package budget

import (
	"time"

	"github.com/abtop-dev/abtop/caps"
)

// ReasonCap: one of the user's own spending caps (package caps) is reached.
// The API enforces none of them; the store does, so every process sharing
// it respects one cap atomically.
const ReasonCap Reason = "cap"

// capGate checks a job's price against the caps (r.Caps) without taking
// anything: Reserve commits the returned usage only once every later gate
// has passed too, so a request the rate window holds back never holds a
// cap. ok is false with the refusing Grant.
func (s *State) capGate(r Request) (caps.Usage, caps.Reservation, Grant, bool) {
	if r.Caps == nil {
		return s.CapUsage, caps.Reservation{}, Grant{}, true
	}
	u, res, reached := caps.Reserve(s.CapUsage, *r.Caps, r.Credits, r.Now)
	if reached == nil {
		return u, res, Grant{}, true
	}
	// Waiting alone does not send the job: the queue pauses and says when
	// the cap lifts (Reached.Lifts); Wait says the same for a caller that
	// prefers to sleep.
	g := Grant{Blocked: true, Reason: ReasonCap, Cost: r.Cost, Write: r.Write, Reached: reached}
	if !reached.Never && !reached.Lifts.IsZero() {
		g.Wait = max(reached.Lifts.Sub(r.Now), time.Millisecond)
	}
	return s.CapUsage, caps.Reservation{}, g, false
}

// releaseCap gives a reservation back (the request never left, was refused
// without a charge, or its job was refunded).
func (s *State) releaseCap(r caps.Reservation) {
	if r != (caps.Reservation{}) {
		s.CapUsage = caps.Release(s.CapUsage, r)
	}
}
