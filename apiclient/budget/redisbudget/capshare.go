package redisbudget

import (
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/caps"
)

// ReasonCapShare: a job fits the user's cap but not this process's share
// of what is left of it while Redis is away. The grant is a wait (the
// scheduler retries, through Redis once it is back), not a pause.
const ReasonCapShare budget.Reason = "cap share while Redis is away"

// overCapShare says whether a grant the local share would make (after is
// its cap usage with the job's reservation) takes this process past its
// share of a cap, and then returns the wait to give instead. Rates are
// split between the peers by degradeLocked; caps cannot be split there,
// since they come with each request, so they are split here: without it
// every degraded process could reserve all that is left, and their
// reservations, handed back at reconnect, would pass the cap. A job over
// the cap itself never gets here: the local Reserve refused it (Never).
func (f *fallback) overCapShare(r budget.Request, after caps.Usage) (budget.Grant, bool) {
	if r.Caps == nil {
		return budget.Grant{}, false
	}
	reached := caps.OverShare(f.capBase, after, *r.Caps, f.peers, r.Credits, r.Now)
	if reached == nil {
		return budget.Grant{}, false
	}
	wait := max(f.retry, time.Millisecond)
	if !reached.Lifts.IsZero() {
		// A new period is shared afresh (OverShare counts its base as 0).
		wait = max(min(wait, reached.Lifts.Sub(r.Now)), time.Millisecond)
	}
	return budget.Grant{Wait: wait, Reason: ReasonCapShare, Cost: r.Cost, Write: r.Write, Reached: reached}, true
}
