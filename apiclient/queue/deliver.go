package queue

import (
	"context"

	"github.com/abtop-dev/abtop/apiclient"
)

// Webhook mode: a verified delivery (the job object the API POSTed, see
// apiclient/webhook) is news like a list entry. While deliveries are on,
// tracking reads fall to one reconcile list read every Reconcile (30 s),
// which finds what a dropped delivery never said; a job with no news for
// Grace is followed by the usual ticks again.

// SetDeliveries turns webhook mode on or off (off: every tick reads).
func (q *Queue) SetDeliveries(on bool) {
	q.mu.Lock()
	q.trk.deliveries = on
	q.mu.Unlock()
	q.trk.poke()
}

// Deliver feeds one verified delivery to tracking. It reports whether the
// job is one of this queue's; a duplicate, late or out-of-order delivery
// is accepted and changes nothing. The error is the journal's.
func (q *Queue) Deliver(ctx context.Context, job apiclient.Job) (bool, error) {
	q.mu.Lock()
	_, ours := q.trk.byID[job.ID]
	if ours {
		q.trk.stats.Deliveries++
	}
	q.mu.Unlock()
	if !ours {
		return false, nil
	}
	return true, q.absorb(ctx, []apiclient.Job{job})
}
