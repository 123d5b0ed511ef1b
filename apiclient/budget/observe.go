// What State learns from one response: embargoes, 429s, quota, credits,
// concurrency; the rate window itself is window.go's.

package budget

import "github.com/abtop-dev/abtop/apiclient/plans"

// Observe learns from one response.
func (s *State) Observe(o Observation) {
	s.releaseCap(o.CapRelease)
	s.InFlight = max(0, s.InFlight-o.Settle)
	s.Overdue = max(0, min(s.Overdue+o.Overdue, s.InFlight))
	if o.Write && o.Settle > 0 {
		s.WritesInFlight = max(0, s.WritesInFlight-1)
	}
	if o.Settle > 0 && o.Unseen && !o.HasRate && !o.RateLimited {
		s.noteUnseen(o)
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
	if o.Plan != "" {
		s.observePlan(o.Plan)
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

// observePlan takes the plan the server named as the truth about
// concurrency (API.md's plan table; a job counts against it from creation
// until it finishes). Until a body states the limit, slots are held at
// the plan's: a server that rejects jobs beyond it (seed 002) then draws
// no discovery 429, and one that queues them (abstrakt) runs no fewer
// jobs at once. A custom or unknown plan says nothing: discovery stays.
func (s *State) observePlan(name string) {
	p, ok := plans.Lookup(name)
	if !ok || p.Custom {
		return
	}
	s.PlanConcurrency = p.Concurrency
	if s.ConcurrencyLimit <= 0 && p.Concurrency > 0 {
		s.ConcurrencyLimit = p.Concurrency
	}
}
