package estimate

import "github.com/abtop-dev/abtop/apiclient/usage"

// FromSnapshot fills the limits one response's headers tell (the dry run's
// reads): the rate window (requests, or points), the monthly quota and the
// balance. Concurrency, a daily limit, the others' share and the points a
// create costs are not in the headers; the caller adds them from the plan
// and the shared budget.
func FromSnapshot(s usage.Snapshot) Limits {
	var l Limits
	for _, lim := range s.Limits {
		if lim.Unit != usage.UnitRequests && lim.Unit != usage.UnitPoints || lim.Limit == nil {
			continue
		}
		l.RateLimit = *lim.Limit
		l.RateRemaining = lim.Remaining
		if lim.ResetAfter != nil {
			l.RateReset = *lim.ResetAfter
		}
		if lim.Window != nil {
			l.Window = *lim.Window
		}
		break
	}
	if q := s.Quota; q != nil && q.Remaining != nil {
		a := &Allowance{Remaining: *q.Remaining}
		if q.Limit != nil {
			a.Limit = *q.Limit
		}
		if q.ResetAfter != nil {
			a.Reset = *q.ResetAfter
		}
		l.Quota = a
	}
	l.Credits = s.Credits
	return l
}
