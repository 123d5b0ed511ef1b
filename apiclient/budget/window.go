// Rate window learning: the window's length, its current boundary
// (EndLo, EndHi] and what is left of it, from the answers' rate headers.

package budget

import "time"

// sameWindowSlack is how far two WindowIDs of one window may differ
// (second-resolution reset values).
func (s *State) sameWindowSlack() time.Duration {
	if s.WindowKnown && s.Window < 2*DateResolution {
		return s.Window / 2
	}
	return 900 * time.Millisecond
}

// SameWindow says whether id names the current window (WindowIDs of one
// window differ by up to sameWindowSlack).
func (s *State) SameWindow(id time.Time) bool {
	d := id.Sub(s.WindowID)
	return d.Abs() <= s.sameWindowSlack()
}

func (s *State) observeRate(o Observation) {
	s.Known = true
	if o.Limit > 0 {
		s.Limit = o.Limit
	}
	if o.Window > 0 {
		s.Window, s.WindowKnown = o.Window, true
	}
	// Units in flight may not be counted by the server yet. Those granted
	// before this request were (almost always) sent before it and are in
	// o.Remaining already: subtracting them too made each answer lower
	// Remaining by what was in flight, so with three submitters 1–3 units
	// of every window were never spent. Only the units granted after it
	// are subtracted. When one granted before was overtaken, Remaining is
	// one too high for a moment, which the last unit's wait for every
	// answer in flight absorbs (rateGate), and the next answer corrects.
	later := s.InFlight
	if o.Units > 0 && s.Units >= o.Units {
		// Overdue units granted before this one are taken as not
		// counted yet either: the last unit no longer waits for them.
		later = min(later, int64(s.Units-o.Units)+s.overdue())
	}
	// Units that settled after it was granted without stating the count
	// may not be in its answer either, and are no longer in flight. An
	// answer of unknown grant (made outside the budget, or numbered by
	// another state: a shared store's local fallback) is taken as
	// granted first: it counted none of them and forgets none.
	at := o.Units
	if at == 0 || at > s.Units {
		at = 0
	}
	later += s.unseenAfter(at)
	srv := o.Remaining - later
	hi := time.Time{}
	lo := o.Sent
	if o.HasReset {
		hi = o.Received.Add(o.ResetAfter + s.ResetSlack + ResetMargin)
		// The server's Date is at most DateResolution older than the
		// instant it handled the request, which was after Sent.
		if l := o.Sent.Add(o.ResetAfter - DateResolution); l.After(lo) {
			lo = l
		}
	} else if s.EndHi.IsZero() {
		hi = o.Received.Add(s.Window + ResetMargin)
	}
	if hi.IsZero() {
		s.Remaining = min(s.Remaining, srv)
		return
	}
	slack := s.sameWindowSlack()
	if o.HasReset && o.ResetAfter > s.MaxResetAfter {
		s.MaxResetAfter = o.ResetAfter
	}
	if !o.WindowID.IsZero() && !s.WindowID.IsZero() && o.Window <= 0 {
		// Two different windows teach the window length: the smallest
		// gap between window ids (idle windows give multiples), never
		// less than the longest reset seen (a jittery delta-seconds
		// reset must not pass for a short window).
		d := o.WindowID.Sub(s.WindowID)
		if d >= slack && d >= s.MaxResetAfter && d <= 24*time.Hour &&
			(!s.WindowKnown && !s.spansIdle(d, slack) || s.WindowKnown && d < s.Window-slack) {
			s.Window, s.WindowKnown = roundToSecond(d), true
		}
	}
	if o.WindowID.IsZero() || s.WindowID.IsZero() || s.EndHi.IsZero() {
		s.startWindow(o.WindowID, srv, lo, hi)
		return
	}
	d := o.WindowID.Sub(s.WindowID)
	switch {
	case d > -slack && d < slack: // same window
		s.Remaining = min(s.Remaining, srv)
		if o.Sent.After(s.EndLo) {
			s.EndLo = o.Sent
		}
		if hi.Before(s.EndHi) {
			s.EndHi = hi
		}
		if !s.ServerLowID.Equal(s.WindowID) || o.Remaining < s.ServerLow ||
			o.Remaining == s.ServerLow && at > s.ServerLowUnits {
			s.ServerLow, s.ServerLowID, s.ServerLowUnits = o.Remaining, s.WindowID, at
			s.forgetUnseen(at)
		}
		if !s.Limited && !o.RateLimited {
			// Every unit granted in this window has been answered or
			// is in flight, so the lowest Remaining the server stated,
			// less every unit still in flight (each may yet be
			// counted), is the window's truth. Answers that overtook
			// each other can have made Remaining lower (a unit granted
			// after this answer's but counted before it is subtracted
			// once too often); with three submitters that lost about
			// one unit in every other window. Waiting for nothing to
			// be in flight instead let one stalled request keep the
			// error for as long as it stalled.
			s.Remaining = s.ServerLow - s.InFlight - s.unseenAfter(s.ServerLowUnits)
		}
	case d >= slack: // a newer window: its boundary passed before Received
		prevLo, prevHi := s.EndLo, s.EndHi
		if o.Received.Before(prevHi) {
			prevHi = o.Received
		}
		consecutive := !s.WindowKnown || d < s.Window*3/2
		if consecutive && !s.WindowKnown && !s.spansIdle(d, slack) {
			s.Window, s.WindowKnown = roundToSecond(d), true
		}
		nlo, nhi := lo, hi
		if consecutive && s.Window > 0 && !prevLo.IsZero() && prevLo.Before(prevHi) {
			if pl := prevLo.Add(s.Window); pl.After(nlo) {
				nlo = pl
			}
			if ph := prevHi.Add(s.Window); ph.Before(nhi) {
				nhi = ph
			}
		}
		if !nlo.Before(nhi) {
			nlo, nhi = lo, hi
		}
		s.WindowID, s.EndLo, s.EndHi = o.WindowID, nlo, nhi
		s.Remaining = srv
		s.ServerLow, s.ServerLowID, s.ServerLowUnits = o.Remaining, o.WindowID, at
		s.forgetUnseen(at)
		if !s.Limited && s.Share < 1 {
			s.Share = min(1, s.Share+shareStep)
		}
		s.Limited = o.RateLimited
	default: // a late answer from an earlier window: it bounds the boundary from below
		if s.WindowKnown && s.Window > 0 {
			k := (s.WindowID.Sub(o.WindowID) + s.Window/2) / s.Window
			if l := o.Sent.Add(k * s.Window); l.After(s.EndLo) && l.Before(s.EndHi) {
				s.EndLo = l
			}
		}
	}
	if o.RateLimited {
		s.Remaining = min(s.Remaining, 0)
	}
}

// spansIdle: a first gap between window ids over twice the longest reset
// any answer stated is likely several windows with nothing sent (a stall,
// a long wait): taken for the window length, a 10 s gap between 2 s
// windows made every later window wait 10 s. The length is then learned
// from a later, shorter gap.
func (s *State) spansIdle(d, slack time.Duration) bool {
	return s.MaxResetAfter > 0 && d > 2*s.MaxResetAfter+slack
}

func (s *State) startWindow(id time.Time, remaining int64, lo, hi time.Time) {
	s.WindowID, s.EndLo, s.EndHi = id, lo, hi
	if !lo.Before(hi) {
		s.EndLo = time.Time{}
	}
	s.Remaining = remaining
}

func roundToSecond(d time.Duration) time.Duration {
	if d >= 2*DateResolution {
		return d.Round(DateResolution)
	}
	return d
}
