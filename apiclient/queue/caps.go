package queue

import (
	"context"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/caps"
)

// batchCap is --max-credits: what this queue's own sends may spend. It is
// this process's alone (other processes' batches are not this batch), so
// it lives here and not in the shared budget store, which holds the
// profile's daily and monthly caps.
type batchCap struct {
	mu    sync.Mutex
	max   float64
	usage caps.Usage
	held  map[string]caps.Reservation // by job key
}

// hold reserves a job's price against the batch cap.
func (b *batchCap) hold(key string, price float64, now time.Time) *caps.Reached {
	if b == nil || b.max <= 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	u, r, reached := caps.Reserve(b.usage, caps.Caps{BatchCredits: b.max, Zone: time.UTC}, price, now)
	if reached != nil {
		return reached
	}
	b.usage = u
	if b.held == nil {
		b.held = map[string]caps.Reservation{}
	}
	b.held[key] = r
	return nil
}

// release gives a job's hold back (refused, or refunded later).
func (b *batchCap) release(key string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if r, ok := b.held[key]; ok {
		b.usage = caps.Release(b.usage, r)
		delete(b.held, key)
	}
}

// refunded says whether a job's change gives its credits back: it reached
// failed or canceled on the server (API.md refunds both).
func refunded(cur, next Job) bool {
	final := func(s State) bool { return s == StateFailed || s == StateCanceled }
	return next.JobID != "" && final(next.State) && !final(cur.State)
}

// refund gives a refunded job's reservations back: the batch cap's and,
// through the budget store, the profile caps'.
func (q *Queue) refund(key string, r caps.Reservation) {
	q.batch.release(key)
	if r == (caps.Reservation{}) {
		return
	}
	now := q.opts.Now()
	_ = q.opts.Scheduler.Store().Observe(context.Background(), budget.Observation{Sent: now, Received: now, CapRelease: r})
}

// capPause pauses the queue at a cap, saying which and when it lifts.
func (q *Queue) capPause(key string, reached *caps.Reached) *BlockedError {
	reason := reached.Message(q.opts.Now())
	q.noteWait(key, Wait{Reason: budget.ReasonCap, Text: reason})
	q.hub.publish(Event{Type: EventProblem, Job: q.get(key), Reason: reason, Cap: reached})
	q.Pause(reason)
	q.mu.Lock()
	q.capped = true
	q.signalLocked()
	q.mu.Unlock()
	return &BlockedError{Reason: budget.ReasonCap, Err: reached, Reached: reached}
}
