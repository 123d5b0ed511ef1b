package queue

import (
	"context"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// Concurrency discovery. A server that rejects jobs beyond its concurrency
// limit (seed 002) may say the limit only in the body of that 429
// (details.limit). Until it has, creates go out one at a time, so the
// rejection that reveals the limit is the only one: with several in
// flight, each of them drew its own 429. Once the limit is known (the
// body's details.limit or details.active, else the plan table, else the
// jobs we have running), the jobs already created hold its slots and new
// ones wait for a slot. Serialising stops as soon as the server has
// accepted more unfinished jobs than the plan documents (seed 002's
// default of 5 when it documents none) without a rejection: such a
// server queues jobs (abstrakt) or allows more, and overlap costs nothing.
const seedDefaultConcurrency = 5

// probeTurn waits for the turn to send a create while the server's
// concurrency behaviour is unknown; release gives it back. Outside that
// phase it returns at once.
func (q *Queue) probeTurn(ctx context.Context) (release func(), err error) {
	st, err := q.opts.Scheduler.Store().Snapshot(ctx)
	if err != nil {
		return func() {}, nil // the scheduler will report the store's error
	}
	threshold := st.PlanConcurrency
	if threshold <= 0 {
		threshold = seedDefaultConcurrency
	}
	if st.ConcurrencyLimit > 0 || len(q.unfinishedCreated("")) > threshold {
		return func() {}, nil
	}
	select {
	case q.probe <- struct{}{}:
		return func() { <-q.probe }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// unfinishedCreated lists our jobs the server has created and we have not
// seen finish (other than key).
func (q *Queue) unfinishedCreated(key string) []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var ks []string
	for _, k := range q.order {
		j := q.jobs[k]
		if k != key && j.JobID != "" && (j.State == StateCreated || j.State == StateRunning) {
			ks = append(ks, k)
		}
	}
	return ks
}

// adoptRunning gives a slot to each job created before the limit was
// known (it went out without one) and not seen finished: they count
// against the server's limit, so a new job must wait for them, or it
// draws another 429.
func (q *Queue) adoptRunning(ctx context.Context, st budget.State, key string) {
	store := q.opts.Scheduler.Store()
	for _, k := range q.unfinishedCreated(key) {
		if _, holds := st.Slots[k]; !holds {
			_, _ = store.AcquireSlot(ctx, k, q.opts.Now(), q.opts.SlotTTL)
		}
	}
}
