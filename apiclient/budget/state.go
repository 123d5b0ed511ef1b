package budget

import (
	"maps"
	"time"

	"github.com/abtop-dev/abtop/apiclient/plans"
	"github.com/abtop-dev/abtop/caps"
)

// Safety margins. Every deadline derived from the server is measured from
// the moment its response arrived (after the server computed it) and then
// pushed later by a margin, so rounding never makes us early.
const (
	// EmbargoMargin is added to every Retry-After.
	EmbargoMargin = 25 * time.Millisecond
	// ResetMargin is added to every window reset before refilling.
	ResetMargin = 10 * time.Millisecond
	// DateResolution is the resolution of HTTP-date and Unix-seconds
	// values: the server's Date may be up to this much older than the
	// instant the server handled the request.
	DateResolution = time.Second
	// minShare is the smallest fraction of a window AIMD backs off to.
	minShare = 0.1
	// shareStep is the additive recovery per window without a 429.
	shareStep = 0.1
)

// Plan is the documented starting point before any response (API.md).
type Plan struct {
	Name        string
	Limit       int64         // requests (or points) per window
	Window      time.Duration // a minute for every documented plan
	Concurrency int           // 0 = no documented limit
}

// PlanNamed returns the documented starting point of a plan (package
// plans holds API.md's table). A custom plan starts at the highest
// documented rate; unknown names get the most conservative plan, Free.
func PlanNamed(name string) Plan {
	p, ok := plans.Lookup(name)
	if !ok {
		p, _ = plans.Lookup("free")
	}
	limit := p.RequestsPerMin
	if p.Custom {
		limit = plans.MaxRequestsPerMin()
	}
	return Plan{Name: p.Name, Limit: limit, Window: time.Minute, Concurrency: p.Concurrency}
}

// State is one organization's budget. Its fields are exported so shared
// backends can store it (e.g. as JSON); treat them as owned by the methods.
type State struct {
	// Known is true once a response stated the rate limit; before that only
	// one request is in flight at a time, paced at the plan's rate.
	Known     bool
	Limit     int64 // allowance per window (requests or points)
	Remaining int64 // what we may still spend this window; in-flight already taken out
	InFlight  int64 // units granted whose response has not been observed
	// Window is the window length; WindowKnown when stated or learned from
	// two consecutive windows (plan defaults are only used for pacing).
	Window      time.Duration
	WindowKnown bool
	// WindowID is the current window's reset instant on the server's clock,
	// as the server reported it (identity only, never compared to Now).
	WindowID time.Time
	// MaxResetAfter is the longest time-to-reset any response stated: a
	// lower bound on the window length.
	MaxResetAfter time.Duration
	// ResetSlack is added to every stated reset. It starts at 0 (a reset
	// value is the window's real end, as when windows are aligned to whole
	// seconds) and becomes DateResolution after a surprise 429, in case the
	// server truncates sub-second window ends to whole seconds.
	ResetSlack time.Duration
	// EndLo < true end of the current window ≤ EndHi (reference clock).
	// Remaining refills at EndHi. The last unit of a window is spent as a
	// probe between them, which halves the interval each window, so the
	// refill converges onto the real boundary without ever being early.
	EndLo, EndHi time.Time
	// Share is the AIMD fraction of the window we allow ourselves: halved on
	// a surprise 429, +0.1 per window without one. 1 when alone.
	Share     float64
	Limited   bool      // a 429 arrived in the current window
	LastGrant time.Time // for pacing when Share < 1 or before Known
	// ServerLow is the lowest Remaining the server stated in the window
	// ServerLowID (its WindowID; stale once WindowID moves on): the
	// server's count after the last request it handled that we saw.
	ServerLow   int64
	ServerLowID time.Time
	// Grants counts the grants ever made (Grant.Seq), Units the units
	// they took (Grant.Units); cancels do not lower them.
	Grants uint64
	Units  uint64

	// Embargo: nothing goes out before this instant (Retry-After).
	Embargo time.Time

	// Learned is a rate in units per second learned from 429s without
	// any hint (adaptive.go), 0 when none: grants are spaced by it.
	// LearnedCut is when it was last lowered; HintlessStreak counts
	// hint-less 429s since the last accepted answer.
	Learned          float64
	LearnedCut       time.Time
	HintlessStreak   int
	AcceptedSinceCut int // accepted answers since the last cut
	LearnCuts        int // cuts since the rate was first learned
	// SendRate is the measured rate of grants (units a second, decaying
	// with a one-second time constant) at SendRateAt: where a first cut
	// of Learned starts.
	SendRate   float64
	SendRateAt time.Time

	QuotaKnown     bool
	QuotaRemaining int64
	QuotaReset     time.Time // zero when unknown
	WritesInFlight int64

	CreditsKnown     bool
	Credits          float64
	CreditsExhausted bool

	ConcurrencyLimit int
	Slots            map[string]time.Time // holder → lease expiry
	// ConcurrencyRejects: the server rejected a job for concurrency, so
	// it does not queue them (seed 002); the queue then holds slots even
	// before it knows their number. PlanConcurrency is the plan table's
	// limit (0 = none documented), used when a rejection does not say.
	ConcurrencyRejects bool
	PlanConcurrency    int

	// CapUsage is what jobs have reserved against the user's own caps
	// (Request.Caps) in the current day and month: kept here so a shared
	// store applies and persists it with the rest, atomically.
	CapUsage caps.Usage
}

// NewState starts from a plan's documented numbers.
func NewState(p Plan) State {
	if p.Limit <= 0 {
		p.Limit = 10
	}
	if p.Window <= 0 {
		p.Window = time.Minute
	}
	return State{Limit: p.Limit, Remaining: p.Limit, Window: p.Window, Share: 1, Slots: map[string]time.Time{}, PlanConcurrency: p.Concurrency}
}

// Clone returns a deep copy.
func (s State) Clone() State {
	s.Slots = maps.Clone(s.Slots)
	if s.Slots == nil {
		s.Slots = map[string]time.Time{}
	}
	return s
}

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
	s.Remaining = s.Limit - s.InFlight
	if !s.Limited && s.Share < 1 {
		s.Share = min(1, s.Share+shareStep)
	}
	s.Limited = false
}

// Reserve decides whether r may go out now. Gates, in order: the
// Retry-After embargo, the monthly quota (writes), credits, the user's caps,
// the rate window.
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
	if last && s.InFlight > 0 {
		// The last unit of a window waits for the answers in flight, so a
		// surprise from one of them stops it.
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

// Cancel gives back a Grant whose request never left.
func (s *State) Cancel(g Grant) {
	if !g.OK {
		return
	}
	s.InFlight = max(0, s.InFlight-g.Cost)
	s.Remaining += g.Cost
	s.releaseCap(g.Cap)
	if g.Write {
		s.WritesInFlight = max(0, s.WritesInFlight-1)
		if s.QuotaKnown {
			s.QuotaRemaining++
		}
	}
}

// sameWindowSlack is how far two WindowIDs of one window may differ
// (second-resolution reset values).
func (s *State) sameWindowSlack() time.Duration {
	if s.WindowKnown && s.Window < 2*DateResolution {
		return s.Window / 2
	}
	return 900 * time.Millisecond
}

// Observe learns from one response.
func (s *State) Observe(o Observation) {
	s.releaseCap(o.CapRelease)
	s.InFlight = max(0, s.InFlight-o.Settle)
	if o.Write && o.Settle > 0 {
		s.WritesInFlight = max(0, s.WritesInFlight-1)
	}
	if o.RetryAfter > 0 {
		if e := o.Received.Add(o.RetryAfter + EmbargoMargin); e.After(s.Embargo) {
			s.Embargo = e
		}
	}
	switch {
	case o.RateLimited && o.Hintless:
		s.observeHintless(o)
	case o.Accepted:
		s.observeAccepted()
	}
	if o.RateLimited && !o.Hintless {
		s.ResetSlack = DateResolution
		s.Share = max(minShare, s.Share/2)
		s.Limited = true
		s.Remaining = min(s.Remaining, 0)
	}
	if o.HasRate {
		s.observeRate(o)
	}
	if o.HasQuota {
		s.QuotaKnown = true
		s.QuotaRemaining = o.QuotaRemaining - s.WritesInFlight
		if o.QuotaResetAfter > 0 {
			s.QuotaReset = o.Received.Add(o.QuotaResetAfter + ResetMargin)
		}
	}
	if o.QuotaExhausted {
		s.QuotaKnown = true
		s.QuotaRemaining = 0
		if o.QuotaResetAfter > 0 {
			s.QuotaReset = o.Received.Add(o.QuotaResetAfter + ResetMargin)
		}
	}
	if o.HasCredits {
		s.CreditsKnown = true
		s.Credits = o.Credits
		s.CreditsExhausted = false
	}
	if o.CreditsExhausted {
		s.CreditsExhausted = true
	}
	if o.ConcurrencyLimit > 0 {
		s.ConcurrencyLimit = o.ConcurrencyLimit
	}
	if o.ConcurrencyRejected {
		s.ConcurrencyRejects = true
		if s.ConcurrencyLimit <= 0 && s.PlanConcurrency > 0 {
			s.ConcurrencyLimit = s.PlanConcurrency
		}
	}
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
		later = min(later, int64(s.Units-o.Units))
	}
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
		if !s.ServerLowID.Equal(s.WindowID) || o.Remaining < s.ServerLow {
			s.ServerLow, s.ServerLowID = o.Remaining, s.WindowID
		}
		if s.InFlight == 0 && !s.Limited && !o.RateLimited {
			// Every unit granted in this window has been answered, so
			// the lowest Remaining the server stated counts them all:
			// it is the window's truth. Answers that overtook each
			// other can have made Remaining lower (a unit granted after
			// this answer's but counted before it is subtracted once
			// too often); with three submitters that lost about one
			// unit in every other window.
			s.Remaining = s.ServerLow
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
		s.ServerLow, s.ServerLowID = o.Remaining, o.WindowID
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

// AcquireSlot takes or renews holder's concurrency slot.
func (s *State) AcquireSlot(holder string, now time.Time, ttl time.Duration) bool {
	if s.Slots == nil {
		s.Slots = map[string]time.Time{}
	}
	for h, exp := range s.Slots {
		if !now.Before(exp) {
			delete(s.Slots, h)
		}
	}
	if _, ok := s.Slots[holder]; ok || s.ConcurrencyLimit <= 0 || len(s.Slots) < s.ConcurrencyLimit {
		s.Slots[holder] = now.Add(ttl)
		return true
	}
	return false
}

// ReleaseSlot frees holder's slot.
func (s *State) ReleaseSlot(holder string) { delete(s.Slots, holder) }
