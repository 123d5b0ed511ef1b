// Package usage turns the headers of one HTTP response into a normalized
// Snapshot: every rate-limit dimension the provider reported, the monthly
// quota, credits, Retry-After and the server's clock. It is the single place
// in abtop that reads rate-limit headers; every surface (TUI, status, submit,
// inspect) renders a Snapshot and never parses a header itself.
package usage

import "time"

// Units of a limit dimension. Providers invent their own; these are the ones
// abtop gives a name to. Anything else is kept verbatim.
const (
	UnitRequests     = "requests"
	UnitPoints       = "points"
	UnitTokens       = "tokens"
	UnitInputTokens  = "input_tokens"
	UnitOutputTokens = "output_tokens"
)

// Limit is one rate-limit dimension as reported by the server.
// Pointer fields are nil when the server did not say (unknown is not zero).
type Limit struct {
	Unit      string // UnitRequests, UnitPoints, UnitTokens, … or the provider's own word
	Limit     *int64 // allowance per window
	Remaining *int64 // left in the current window
	Used      *int64 // used in the current window, when reported (or derivable)
	// ResetAfter is the time from the response's Date (server clock) until the
	// window resets. Nil when unknown; never negative.
	ResetAfter *time.Duration
	Window     *time.Duration // window length when the provider states it (RateLimit-Policy w=, …)
	Scope      string         // "user", "org", "global", a bucket id, … ("" when unknown)
	Source     string         // header family it came from, e.g. "x-ratelimit", "ietf", "openai", "anthropic"
	// Cost is what this very request cost in Unit (X-RateLimit-Cost,
	// X-Points-Cost), when the server says; nil otherwise.
	Cost *int64
	// RestoreRate is how many units per second a bucket regains (a leaky
	// or token bucket such as Shopify GraphQL's throttleStatus.restoreRate),
	// nil for fixed windows.
	RestoreRate *float64
}

// Fraction returns remaining/limit in [0,1], or -1 when either is unknown.
func (l Limit) Fraction() float64 {
	if l.Limit == nil || l.Remaining == nil || *l.Limit <= 0 {
		return -1
	}
	f := float64(*l.Remaining) / float64(*l.Limit)
	if f < 0 {
		return 0
	}
	if f > 1 {
		return 1
	}
	return f
}

// Quota is the monthly write quota (X-Quota-*).
type Quota struct {
	Limit      *int64
	Remaining  *int64
	ResetAfter *time.Duration // from the server's Date; nil when unknown
}

// Snapshot is what one response taught us. It is an immutable value.
type Snapshot struct {
	// Received is the local time the response arrived.
	Received time.Time
	// ServerDate is the response's Date header (zero when absent or invalid).
	// Clock skew = ServerDate - Received.
	ServerDate time.Time
	Limits     []Limit
	// Binding is the index in Limits of the most constrained dimension
	// (lowest remaining/limit; ties go to requests), or -1 when there is none.
	Binding int
	Quota   *Quota   // nil when the response carried no quota headers
	Credits *float64 // X-Credits-Remaining, nil when absent
	// RetryAfter is the wait the server asked for (Retry-After header, the most
	// conservative of duplicates); nil when absent or unparseable, never negative.
	RetryAfter *time.Duration
	// Problems lists headers that were present but could not be understood,
	// in words a person can read ("X-RateLimit-Reset: \"soon\" is not a time").
	Problems []string
}

// Now is the reference instant for all relative durations in the snapshot:
// the server's Date when known, else the local receive time.
func (s Snapshot) Now() time.Time {
	if !s.ServerDate.IsZero() {
		return s.ServerDate
	}
	return s.Received
}

// Skew is ServerDate - Received (0 when the server sent no usable Date).
func (s Snapshot) Skew() time.Duration {
	if s.ServerDate.IsZero() || s.Received.IsZero() {
		return 0
	}
	return s.ServerDate.Sub(s.Received)
}

// BindingLimit returns the binding limit, if any.
func (s Snapshot) BindingLimit() (Limit, bool) {
	if s.Binding < 0 || s.Binding >= len(s.Limits) {
		return Limit{}, false
	}
	return s.Limits[s.Binding], true
}
