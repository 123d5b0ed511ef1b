// Package budget holds one organization's request budget: the rate window
// (requests or points), the Retry-After embargo, the monthly write quota,
// the credit balance, the concurrency slots and the user's own spending
// caps (ReasonCap). The scheduler asks it "may
// this request go out now?" (Reserve) and teaches it from every response
// (Observe).
//
// The contract is clock-explicit: a Store never reads a clock. Every instant
// passed in or stored is on the caller's reference clock. The in-process
// scheduler uses its local clock (durations the server states are measured
// from the moment the response was received, which is always after the
// server computed them, so deadlines derived that way are never early).
// Processes sharing a Store across machines must use a common reference
// (the server's clock estimated from Date headers).
//
// All decisions are made by the pure methods of State (State.Reserve,
// State.Observe, …). A Store is just State plus atomicity: Memory keeps it
// behind a mutex; a shared backend (Redis) loads State, applies the same
// method and stores it back in one transaction (WATCH/MULTI or a CAS
// version), so every implementation behaves identically. budgettest.Run is
// the contract test both must pass.
package budget

import (
	"context"
	"time"

	"github.com/abtop-dev/abtop/caps"
)

// Reason says why a request has to wait.
type Reason string

const (
	ReasonNone        Reason = ""
	ReasonRate        Reason = "rate"        // the rate window is spent (or paced)
	ReasonRetryAfter  Reason = "retry-after" // the server asked us to wait (429/503)
	ReasonQuota       Reason = "quota"       // monthly write quota exhausted
	ReasonCredits     Reason = "credits"     // not enough credits for this job
	ReasonConcurrency Reason = "concurrency" // all concurrency slots are taken
)

// Request asks to send one request.
type Request struct {
	Now  time.Time // reference clock
	Cost int64     // units of the rate dimension (1 per request, or its points); ≥ 1
	// Write requests count against the monthly quota.
	Write bool
	// Exclusive asks to go out only when nothing else is in flight (the
	// caller is not sure of the cost yet and will learn it from the answer).
	Exclusive bool
	// Low marks requests that may wait (the monitor's polls): they only
	// go out while more than a tenth of the window is left, so polling
	// slows down when the budget is short instead of starving the batch.
	Low bool
	// Credits this request will charge (a job's model cost); 0 for reads.
	Credits float64
	// Caps, when set, are the user's spending caps a job creation must
	// fit in: Credits is reserved against each (ReasonCap when one is
	// reached), and Grant.Cap holds the reservation.
	Caps *caps.Caps
}

// Grant is the answer to a Request.
type Grant struct {
	OK bool
	// When !OK: the wait after which asking again can help. Zero with
	// Blocked=true means "not by waiting": something must change first
	// (credits added, a slot released).
	Wait    time.Duration
	Blocked bool
	Reason  Reason
	// Cost and Write echo the request, so Cancel/Observe can settle it.
	Cost  int64
	Write bool
	// Seq numbers the grants of this store (every process sharing it):
	// 1, 2, 3, … Alone says nothing else was in flight when it was made.
	// Two consecutive grants that were both alone are the only pair whose
	// answers' drop in Remaining is exactly the second one's cost: with a
	// shared store another process may spend between any other two, and a
	// drop that includes its requests must not be taken for a cost.
	Seq   uint64
	Alone bool
	// Units is the store's count of units ever granted, this grant's
	// included: Observation.Units.
	Units uint64
	// Cap is what an OK grant reserved against Request.Caps (Cancel gives
	// it back; so does an Observation's CapRelease). Reached says which
	// cap refused it (Reason ReasonCap) and when that cap lifts.
	Cap     caps.Reservation
	Reached *caps.Reached
}

// Observation is what one response (or transport failure) taught us. Times
// are on the reference clock; durations come from the response and are
// measured from Received.
type Observation struct {
	Sent     time.Time // when the request left
	Received time.Time // when the response (or the failure) arrived
	// Settle is the cost reserved for this request (its Grant.Cost); it
	// leaves the in-flight count. 0 for observations not tied to a Grant
	// (a balance check made outside the scheduler).
	Settle int64
	Write  bool
	// Overdue > 0 says that many units of a grant still unanswered are
	// overdue (nothing else in the observation is read: Settle is 0);
	// the answer of a grant said so carries -Overdue with its Settle.
	// See State.Overdue.
	Overdue int64
	// Units is the settled grant's Grant.Units (0 when unknown). Units
	// granted after it may still be in flight, uncounted by the server
	// when it answered this request; units granted before it were sent
	// before it, and are taken as counted already (see State.observeRate).
	Units uint64

	// Unseen says the request reached the API, or may have (it was
	// answered, its answer broke off, or it was given up unanswered), but
	// nothing stated the count: the server may have counted it
	// (State.Unseen). Not for a proxy's error page or a connection that
	// never opened.
	Unseen bool

	// Rate dimension; HasRate=false when the response had no usable headers.
	HasRate   bool
	Limit     int64
	Remaining int64
	// ResetAfter is the time from Received until the window resets, as the
	// server stated it (relative to its Date). HasReset=false when unknown.
	ResetAfter time.Duration
	HasReset   bool
	// WindowID identifies the server's window: the absolute reset instant on
	// the SERVER's clock (Date + reset). Two responses of the same window
	// carry the same WindowID (to within a second).
	WindowID time.Time
	// Window is the window length when known (stated or from the plan); 0
	// when unknown (then it is learned from consecutive WindowIDs).
	Window time.Duration

	// RetryAfter > 0 starts an embargo until Received + RetryAfter + margin.
	RetryAfter time.Duration
	// RateLimited is a 429 for the rate budget (a surprise: it halves our
	// share of the window until windows pass without one).
	RateLimited bool
	// Hintless marks a RateLimited 429 that said nothing: no Retry-After,
	// no rate header, no wait in its body (a gateway's bare page). The
	// state learns a rate from those instead (adaptive.go).
	Hintless bool
	// Accepted is an answer that was not a rejection (2xx): it raises a
	// learned rate.
	Accepted bool

	// Quota (write requests per month); HasQuota=false when absent.
	HasQuota        bool
	QuotaRemaining  int64
	QuotaResetAfter time.Duration // from Received; 0 when unknown
	QuotaExhausted  bool          // a 429 quota_exceeded

	// Credits; HasCredits=false when absent.
	HasCredits bool
	Credits    float64
	// CreditsExhausted is a 402 insufficient_credits: the queue pauses until
	// a later observation shows enough credits for the next job.
	CreditsExhausted bool

	// CapRelease gives a cap reservation back: the job was refused without
	// a charge, or it failed or was canceled and refunded. Zero: nothing.
	CapRelease caps.Reservation

	// ConcurrencyLimit > 0 is a concurrency limit the server revealed (a
	// rejection such as CONCURRENT_LIMIT_EXCEEDED with details.limit). Once
	// known, AcquireSlot enforces it.
	ConcurrencyLimit int
	// ConcurrencyRejected is a rejection for concurrency (seed 002): the
	// server refuses jobs beyond its limit instead of queueing them, so
	// slots must be held from now on, sized by ConcurrencyLimit when the
	// body said it, else by the plan's documented limit.
	ConcurrencyRejected bool
	// Plan is the plan the server named (/v1/balance's plan), "" when
	// the answer named none: see State.observePlan.
	Plan string
}

// Store is one organization's budget state, shared by every goroutine (and,
// with a shared backend, every process) spending it. Implementations must
// apply State's methods atomically and must not read a clock.
type Store interface {
	// Reserve takes the request's cost from the rate window, its write from
	// the quota and counts it in flight when every gate allows it, or says
	// how long to wait and why (State.Reserve). It never blocks.
	Reserve(ctx context.Context, r Request) (Grant, error)
	// Cancel returns a Grant whose request never left (ctx canceled before
	// sending): its cost goes back to the window and leaves the in-flight count.
	Cancel(ctx context.Context, g Grant) error
	// Observe learns from one response (State.Observe).
	Observe(ctx context.Context, o Observation) error
	// AcquireSlot takes one concurrency slot for holder (a job id) until
	// now+ttl (a lease, so a crashed holder's slot frees itself). It reports
	// false when all known slots are taken. Re-acquiring renews the lease.
	// Without a known concurrency limit it always succeeds.
	AcquireSlot(ctx context.Context, holder string, now time.Time, ttl time.Duration) (bool, error)
	// ReleaseSlot frees holder's slot (no error when it holds none).
	ReleaseSlot(ctx context.Context, holder string) error
	// Snapshot returns a copy of the state.
	Snapshot(ctx context.Context) (State, error)
}
