package budget

import (
	"cmp"
	"maps"
	"slices"
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
	// Overdue are units of InFlight whose answer is overdue (the sender
	// said so, Observation.Overdue): still spent, since the server may
	// count them yet, but no longer awaited by the last unit of a window
	// (rateGate). A stall held for its whole deadline kept that unit
	// back too: 2 of every 20 units in a window with one, under faults.
	// Read through overdue(), which keeps it within InFlight when a
	// shared store reclaims a dead process's units.
	Overdue int64
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
	// ServerLowUnits is the grant number (Observation.Units) of the answer
	// that stated ServerLow: the grants up to it are taken as counted in
	// it (grants reach the server in the order they are made, but for the
	// few that overtake each other, which the last unit's wait absorbs).
	ServerLowUnits uint64
	// Unseen are the grants of the current window whose requests reached
	// the API, or may have, but whose answers stated no count (dropped,
	// cut off, without usable headers, given up unanswered). The server
	// may have counted them, and only an answer to a grant made after
	// they settled says so: until then they are subtracted like units in
	// flight (see unseenAfter).
	Unseen []UnseenGrant
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

// UnseenGrant is a grant whose request reached the API, or may have, but
// whose answer stated no count (State.Unseen).
type UnseenGrant struct {
	// Units is the grant counter (State.Units) when it settled: only an
	// answer to a grant made after that counted it for sure.
	Units uint64
	Cost  int64
	At    time.Time // when it settled (Observation.Received)
}

// noteUnseen records a settle whose request may have reached the API
// without an answer stating the count (Observation.Unseen).
func (s *State) noteUnseen(o Observation) {
	if !s.Known {
		return // no window to count against yet
	}
	s.Unseen = append(s.Unseen, UnseenGrant{Units: s.Units, Cost: o.Settle, At: o.Received})
	if len(s.Unseen) > maxUnseen {
		// A long run with no rate answer to forget them by: the two
		// oldest become one, placed at the later one, which keeps
		// them subtracted for at least as long.
		slices.SortFunc(s.Unseen, func(a, b UnseenGrant) int { return cmp.Compare(a.Units, b.Units) })
		s.Unseen[1].Cost += s.Unseen[0].Cost
		s.Unseen = slices.Delete(s.Unseen, 0, 1)
	}
}

// maxUnseen bounds State.Unseen, which a shared store writes with every
// change.
const maxUnseen = 64

// unseenAfter is the cost of the Unseen grants an answer to grant u may
// not have counted: those that settled after u was granted. Without it,
// an answer without headers that came back before the answer of a grant
// made earlier let Remaining (the lowest Remaining stated less what is in
// flight) rise by its units though the server had counted them after
// the earlier one: one request too many, a 429, in about one run in ten
// of the queue's TestFaultsSpendTheWindow. Ordering them by their own
// grant instead still drew one in about eight runs: requests granted one
// after another in a burst reach the server in any order.
func (s *State) unseenAfter(u uint64) int64 {
	var n int64
	for _, g := range s.Unseen {
		if g.Units >= u {
			n += g.Cost
		}
	}
	return n
}

// forgetUnseen drops the Unseen grants an answer to grant u counted: those
// settled before u was granted.
func (s *State) forgetUnseen(u uint64) {
	s.Unseen = slices.DeleteFunc(s.Unseen, func(g UnseenGrant) bool { return g.Units < u })
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
	s.Unseen = slices.Clone(s.Unseen)
	s.Slots = maps.Clone(s.Slots)
	if s.Slots == nil {
		s.Slots = map[string]time.Time{}
	}
	return s
}

// Cancel gives back a Grant whose request never left.
func (s *State) Cancel(g Grant) {
	if !g.OK {
		return
	}
	s.InFlight = max(0, s.InFlight-g.Cost)
	s.Overdue = s.overdue()
	s.Remaining += g.Cost
	s.releaseCap(g.Cap)
	if g.Write {
		s.WritesInFlight = max(0, s.WritesInFlight-1)
		if s.QuotaKnown {
			s.QuotaRemaining++
		}
	}
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

// Reclaim takes units (and writes) out of InFlight whose answers will not
// be observed here: a dead owner's, settles owed from an outage, books
// rebuilt. Any of them may have been overdue, so the mark goes down by as
// many: a mark left behind would count a later request of someone else as
// overdue, and the window's last unit would go without its answer. Erring
// low only makes that unit wait again.
func (s *State) Reclaim(units, writes int64) {
	s.InFlight = max(0, s.InFlight-units)
	s.WritesInFlight = max(0, s.WritesInFlight-writes)
	s.Overdue = max(0, s.Overdue-max(0, units))
}

// overdue is Overdue within [0, InFlight].
func (s *State) overdue() int64 { return max(0, min(s.Overdue, s.InFlight)) }
