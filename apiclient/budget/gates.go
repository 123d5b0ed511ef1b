// The gates of State: whether a request may go out now (Reserve), and
// the rate window's refill and last-unit probe.

package budget

import (
	"slices"
	"time"
)

// probeTolerance: once EndHi-EndLo is this small the boundary is known well
// enough and the last unit is spent like any other. A probe that lands
// after the boundary is spent from the next window, so every probe can cost
// the current window a unit; and the interval cannot shrink much below two
// round trips (the answers that bound it). With 1/200 of the window
// (10 ms of a 2 s window) a few milliseconds of latency kept the interval
// above it for good: the last unit of every window went out as a probe,
// about half the time into the next window, losing ~1 unit in 20. A
// twentieth of the window makes the refill at most that late, which costs
// nothing while the window's units go out early in it (and the refill is
// never early).
func (s *State) probeTolerance() time.Duration {
	t := s.Window / 20
	if t < 10*time.Millisecond {
		t = 10 * time.Millisecond
	}
	return t
}

// roll refills the window once now has passed EndHi.
func (s *State) roll(now time.Time) {
	if s.EndHi.IsZero() || now.Before(s.EndHi) {
		return
	}
	prevLo := s.EndLo
	if s.WindowKnown && s.Window > 0 {
		k := 1 + now.Sub(s.EndHi)/s.Window
		shift := k * s.Window
		s.EndHi = s.EndHi.Add(shift)
		if !s.EndLo.IsZero() {
			s.EndLo = s.EndLo.Add(shift)
		}
		if !s.WindowID.IsZero() {
			s.WindowID = s.WindowID.Add(shift)
		}
	} else {
		// Without a known period the next boundary is learned from the
		// next response (whose new WindowID also teaches the period).
		s.EndHi, s.EndLo = time.Time{}, time.Time{}
	}
	// Unseen units that settled after the earliest the window could have
	// ended may have been counted in the new one: they stay, the others
	// go with the window that ended.
	s.Unseen = slices.DeleteFunc(s.Unseen, func(g UnseenGrant) bool { return prevLo.IsZero() || !g.At.After(prevLo) })
	s.Remaining = s.Limit - s.InFlight - s.unseenAfter(0)
	if !s.Limited && s.Share < 1 {
		s.Share = min(1, s.Share+shareStep)
	}
	s.Limited = false
}

// Reserve decides whether r may go out now. Gates, in order: the
// Retry-After embargo, the monthly quota (writes), credits, the rate window.
func (s *State) Reserve(r Request) Grant {
	if r.Cost < 1 {
		r.Cost = 1
	}
	now := r.Now
	wait := func(d time.Duration, why Reason) Grant {
		if d <= 0 {
			d = time.Millisecond
		}
		return Grant{Wait: d, Reason: why, Cost: r.Cost, Write: r.Write}
	}
	if now.Before(s.Embargo) {
		return wait(s.Embargo.Sub(now), ReasonRetryAfter)
	}
	if r.Write && s.QuotaKnown && s.QuotaRemaining <= 0 {
		if s.QuotaReset.IsZero() {
			return Grant{Blocked: true, Reason: ReasonQuota, Cost: r.Cost, Write: r.Write}
		}
		if now.Before(s.QuotaReset) {
			return wait(s.QuotaReset.Sub(now), ReasonQuota)
		}
		// The month rolled over: forget the count until a response
		// states the new one.
		s.QuotaKnown, s.QuotaReset = false, time.Time{}
	}
	if r.Credits > 0 && s.CreditsKnown && (s.CreditsExhausted || s.Credits < r.Credits) {
		return Grant{Blocked: true, Reason: ReasonCredits, Cost: r.Cost, Write: r.Write}
	}
	if r.Credits > 0 && !s.CreditsKnown && s.CreditsExhausted {
		return Grant{Blocked: true, Reason: ReasonCredits, Cost: r.Cost, Write: r.Write}
	}
	capUsage, capRes, g, ok := s.capGate(r)
	if !ok {
		return g
	}
	if d := s.learnedGate(now, r.Cost); d > 0 {
		return wait(d, ReasonRate)
	}
	if g, ok := s.rateGate(now, r); !ok {
		return g
	}
	s.CapUsage = capUsage
	alone := s.InFlight == 0
	s.Remaining -= r.Cost
	s.InFlight += r.Cost
	s.LastGrant = now
	s.noteGrant(now, r.Cost)
	s.Grants++
	s.Units += uint64(r.Cost)
	if r.Write {
		s.WritesInFlight++
		if s.QuotaKnown {
			s.QuotaRemaining--
		}
	}
	if r.Credits > 0 && s.CreditsKnown {
		s.Credits -= r.Credits
	}
	return Grant{OK: true, Cost: r.Cost, Write: r.Write, Seq: s.Grants, Alone: alone, Units: s.Units, Cap: capRes}
}

func (s *State) rateGate(now time.Time, r Request) (Grant, bool) {
	wait := func(d time.Duration) (Grant, bool) {
		if d <= 0 {
			d = time.Millisecond
		}
		return Grant{Wait: d, Reason: ReasonRate, Cost: r.Cost, Write: r.Write}, false
	}
	if !s.Known {
		// Before the first answer: one at a time, at the plan's pace.
		if s.InFlight > 0 {
			// Wait for the answer in flight, not for the pace: in a
			// shared store it may be another process's, whose answer
			// wakes no waiter here, and a pace-long wait (6 s on the
			// Free plan) left whole windows idle (issue 17).
			return wait(5 * time.Millisecond)
		}
		if !s.LastGrant.IsZero() {
			if next := s.LastGrant.Add(s.Window / time.Duration(max(s.Limit, 1))); now.Before(next) {
				return wait(next.Sub(now))
			}
		}
		return Grant{}, true
	}
	s.roll(now)
	if r.Exclusive && s.InFlight > 0 {
		return wait(5 * time.Millisecond)
	}
	reserve := int64(0)
	if r.Low {
		reserve = max(s.Limit/10, r.Cost)
	}
	if s.Remaining-reserve < r.Cost {
		if s.EndHi.IsZero() {
			return wait(s.Window / time.Duration(max(s.Limit, 1)))
		}
		return wait(s.EndHi.Sub(now))
	}
	if s.Share < 1 {
		// Sharing with someone who surprised us: one request at a time,
		// spaced to our share of the window.
		if s.InFlight > 0 {
			return wait(10 * time.Millisecond)
		}
		// Spread what is left of the window over the time left, slowed
		// by our share.
		per := float64(s.Window) / float64(s.Limit)
		if !s.EndHi.IsZero() && s.EndHi.After(now) && s.Remaining > 0 {
			per = float64(s.EndHi.Sub(now)) / float64(s.Remaining)
		}
		gap := time.Duration(per / s.Share * float64(r.Cost))
		if next := s.LastGrant.Add(gap); now.Before(next) {
			return wait(next.Sub(now))
		}
	}
	last := s.Remaining-r.Cost < r.Cost
	if last && s.InFlight > s.overdue() {
		// The last unit of a window waits for the answers in flight, so a
		// surprise from one of them stops it; not for overdue ones, which
		// stay spent instead (a stall's answer comes, if ever, long after
		// the answers of requests sent after it).
		return wait(5 * time.Millisecond)
	}
	if last && !s.EndLo.IsZero() && !s.EndHi.IsZero() && s.EndHi.Sub(s.EndLo) > s.probeTolerance() {
		probe := s.EndLo.Add(s.EndHi.Sub(s.EndLo) / 2)
		if now.Before(probe) {
			return wait(probe.Sub(now))
		}
	}
	return Grant{}, true
}
