package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/caps"
)

// Run sends every unfinished job, in order, until ctx ends. With
// stopWhenIdle (abtop submit) it returns once nothing is left to send, or
// with a *BlockedError when the queue paused on a gate that waiting cannot
// open (credits, auth).
func (q *Queue) Run(ctx context.Context, stopWhenIdle bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := q.checkCredits(ctx); err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	p := newPool(q.opts.Workers)
	worker := func() {
		defer wg.Done()
		for !p.retire() {
			key, ok := q.claim(ctx, stopWhenIdle)
			if !ok {
				p.exit()
				return
			}
			if err := p.acquire(ctx); err != nil {
				q.unclaim(key)
				p.exit()
				return
			}
			err := q.send(ctx, key, p.park)
			p.release()
			var be *BlockedError
			if errors.As(err, &be) && be.Reached != nil && stopWhenIdle {
				// At a cap the jobs in flight were reserved within it:
				// let them finish (the pause stops new claims) rather
				// than abort creates the server may count.
				once.Do(func() { first = err })
				p.exit()
				return
			}
			if err != nil && (errors.As(err, &be) || classify(err) == outStop) && stopWhenIdle {
				once.Do(func() { first = err; cancel() })
				p.exit()
				return
			}
		}
	}
	p.spawn = func() {
		wg.Add(1)
		go worker()
	}
	p.mu.Lock()
	p.alive = q.opts.Workers
	p.mu.Unlock()
	for range q.opts.Workers {
		p.spawn()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	if err := ctx.Err(); err != nil && !stopWhenIdle {
		return err
	}
	if stopWhenIdle && q.Unfinished() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// claim waits for the next unfinished job nobody is sending.
func (q *Queue) claim(ctx context.Context, stopWhenIdle bool) (string, bool) {
	q.mu.Lock()
	for {
		if ctx.Err() != nil {
			q.mu.Unlock()
			return "", false
		}
		if q.paused != "" && stopWhenIdle && q.capped {
			q.mu.Unlock()
			return "", false
		}
		if q.paused == "" {
			// scan skips the finished prefix, so claiming is O(1)
			// amortized over a 10,000-job batch.
			for q.scan < len(q.order) && !q.jobs[q.order[q.scan]].State.Unfinished() {
				q.scan++
			}
			for _, k := range q.order[q.scan:] {
				if q.jobs[k].State.Unfinished() && !q.claimed[k] {
					q.claimed[k] = true
					q.mu.Unlock()
					return k, true
				}
			}
			if stopWhenIdle {
				q.mu.Unlock()
				return "", false
			}
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-ch:
		}
		q.mu.Lock()
	}
}

func (q *Queue) unclaim(key string) {
	q.mu.Lock()
	delete(q.claimed, key)
	q.signalLocked()
	q.mu.Unlock()
}

// checkCredits asks /v1/balance before a batch that costs credits.
func (q *Queue) checkCredits(ctx context.Context) error {
	need := false
	q.mu.Lock()
	for _, j := range q.jobs {
		if j.State.Unfinished() && j.Credits > 0 {
			need = true
			break
		}
	}
	q.mu.Unlock()
	if !need {
		return nil
	}
	return q.opts.Scheduler.Do(ctx, Call{Kind: KindRead, Retry: true}, func(ctx context.Context) (apiclient.Meta, error) {
		_, meta, err := q.opts.API.Balance(ctx)
		return meta, err
	})
}

// send creates one job, journaling each step before it takes effect.
func (q *Queue) send(ctx context.Context, key string, park func() func()) error {
	defer q.unclaim(key)
	job := q.get(key)
	if err := q.acquireSlot(ctx, key); err != nil {
		return err
	}
	if reached := q.batch.hold(key, job.Credits, q.opts.Now()); reached != nil {
		q.releaseSlot(ctx, key)
		return q.capPause(key, reached)
	}
	var created apiclient.Job
	var held caps.Reservation
	call := Call{
		Kind: KindCreate, Write: true, Credits: job.Credits, Retry: true,
		OnAttempt: func(int) error {
			// "sending" is durable before the request leaves.
			_, err := q.update(key, func(j *Job) { j.State, j.Attempts, j.Wait = StateSending, j.Attempts+1, "" })
			return err
		},
		OnWait:    func(w Wait) { q.noteWait(key, w) },
		OnSuccess: func(g budget.Grant) { held = g.Cap },
		SlotWait:  func(ctx context.Context) error { return q.acquireSlot(ctx, key) },
	}
	do := func() error {
		release, err := q.probeTurn(ctx)
		if err != nil {
			return err
		}
		defer func() { release() }()
		call.Park = func() func() {
			// Backing off, the job has nothing in flight: its
			// discovery turn goes to the next create meanwhile.
			release()
			release = func() {}
			resume := park()
			return func() {
				resume()
				if r, err := q.probeTurn(ctx); err == nil {
					release = r
				} // else ctx ended: Do returns its error next
			}
		}
		// The limit may have become known while this job waited for
		// its turn (or for credits): hold a slot now if so.
		if err := q.acquireSlot(ctx, key); err != nil {
			return err
		}
		return q.opts.Scheduler.Do(ctx, call, func(ctx context.Context) (apiclient.Meta, error) {
			var meta apiclient.Meta
			var err error
			created, meta, err = q.opts.API.CreateJob(ctx, apiclient.JobRequest{Model: job.Model, Input: job.Input}, job.Key)
			return meta, err
		})
	}
	err := do()
	var be *BlockedError
	if errors.As(err, &be) && be.Reason == budget.ReasonCredits && ctx.Err() == nil {
		// The balance may have changed since we last looked: ask once
		// before pausing, never in a loop.
		if q.checkCredits(ctx) == nil {
			err = do()
		}
	}
	if err != nil {
		q.batch.release(key) // not created: nothing charged
	}
	switch {
	case err == nil:
		_, uerr := q.update(key, func(j *Job) {
			j.JobID, j.Problem, j.Ambiguous, j.Wait = created.ID, nil, false, ""
			fromServer(j, created) // a replayed key may answer a job already ended
			j.Cap = held
		})
		if created.Finished() {
			q.releaseSlot(ctx, key)
		}
		return uerr
	case ctx.Err() != nil:
		q.releaseSlot(context.WithoutCancel(ctx), key)
		return ctx.Err()
	case errors.As(err, &be) && be.Reached != nil:
		q.releaseSlot(ctx, key)
		return q.capPause(key, be.Reached)
	case errors.As(err, &be):
		q.releaseSlot(ctx, key)
		reason := string(be.Reason)
		if be.Reason == budget.ReasonCredits {
			reason = q.creditsReason(job.Credits)
		}
		q.noteWait(key, Wait{Reason: be.Reason, Text: reason})
		q.hub.publish(Event{Type: EventProblem, Job: q.get(key), Reason: reason})
		q.Pause(reason)
		return err
	case classify(err) == outStop:
		q.releaseSlot(ctx, key)
		q.Pause("unauthorized: " + err.Error())
		return err
	default:
		q.releaseSlot(ctx, key)
		p := problemOf(err)
		amb := ambiguous(err)
		_, uerr := q.update(key, func(j *Job) { j.State, j.Problem, j.Ambiguous, j.Wait = StateFailed, p, amb, "" })
		q.hub.publish(Event{Type: EventProblem, Job: q.get(key)})
		if uerr != nil {
			// The journal cannot be written: the job stays unfinished,
			// and claiming it again would spin without ever sending.
			reason := "journal: " + uerr.Error()
			q.Pause(reason)
			return &BlockedError{Reason: ReasonJournal, Err: errors.Join(err, uerr)}
		}
		return err
	}
}

func (q *Queue) creditsReason(cost float64) string {
	st, err := q.opts.Scheduler.Store().Snapshot(context.Background())
	if err == nil && st.CreditsKnown {
		return fmt.Sprintf("credits: %.4g left, next job needs %.4g", st.Credits, cost)
	}
	return "credits exhausted"
}

// noteWait records why a job waits (display only: not a state change, so
// not journaled) and tells subscribers.
func (q *Queue) noteWait(key string, w Wait) {
	q.mu.Lock()
	if j, ok := q.jobs[key]; ok {
		j.Wait = w.Text
	}
	var job Job
	if j, ok := q.jobs[key]; ok {
		job = *j
	}
	q.mu.Unlock()
	q.hub.publish(Event{Type: EventWait, Job: job, Wait: w})
}

func stateOf(status string) State {
	switch status {
	case apiclient.StatusRunning:
		return StateRunning
	case apiclient.StatusSucceeded:
		return StateSucceeded
	case apiclient.StatusFailed:
		return StateFailed
	case apiclient.StatusCanceled:
		return StateCanceled
	}
	return StateCreated
}

// acquireSlot holds a concurrency slot for the job once the server has
// revealed a concurrency limit. Servers that queue jobs beyond their limit
// (abstrakt: "jobs beyond it wait server-side as queued") never reveal one,
// so jobs are created at the rate limit and the server queues them; servers
// that reject (seed 002's CONCURRENT_LIMIT_EXCEEDED) set the limit, and
// from then on the queue waits for a slot, polling its oldest running job
// (one cheap GET, through the same budget) to learn when one frees up.
func (q *Queue) acquireSlot(ctx context.Context, key string) error {
	store := q.opts.Scheduler.Store()
	announced := false
	for {
		st, err := store.Snapshot(ctx)
		if err != nil {
			return err
		}
		if st.ConcurrencyLimit <= 0 && st.ConcurrencyRejects {
			// Rejected without a number, plan unknown: the limit is
			// what we have running.
			if n := len(q.unfinishedCreated(key)); n > 0 {
				_ = store.Observe(ctx, budget.Observation{Sent: q.opts.Now(), Received: q.opts.Now(), ConcurrencyLimit: n})
				continue
			}
		}
		if st.ConcurrencyLimit <= 0 {
			return nil
		}
		q.adoptRunning(ctx, st, key)
		ok, err := store.AcquireSlot(ctx, key, q.opts.Now(), q.opts.SlotTTL)
		if err != nil || ok {
			return err
		}
		if !announced {
			q.noteWait(key, Wait{Reason: budget.ReasonConcurrency, For: q.opts.PollEvery,
				Text: fmt.Sprintf("concurrency %d/%d", len(st.Slots), st.ConcurrencyLimit)})
			announced = true
		}
		q.pollOldest(ctx)
		t := time.NewTimer(q.opts.PollEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (q *Queue) releaseSlot(ctx context.Context, key string) {
	_ = q.opts.Scheduler.Store().ReleaseSlot(ctx, key)
}

// pollOldest asks the server about the oldest job of ours still holding a
// slot, and frees the slot when it has finished.
func (q *Queue) pollOldest(ctx context.Context) {
	st, err := q.opts.Scheduler.Store().Snapshot(ctx)
	if err != nil {
		return
	}
	var target Job
	q.mu.Lock()
	for _, k := range q.order {
		j := q.jobs[k]
		if _, holds := st.Slots[k]; holds && j.JobID != "" && (j.State == StateCreated || j.State == StateRunning) {
			target = *j
			break
		}
	}
	q.mu.Unlock()
	if target.Key == "" {
		return
	}
	_ = q.Refresh(ctx, target.Key)
}

// Refresh polls one created job's status (GET /v1/jobs/{id}, through the
// budget as a low-priority poll) and records it.
func (q *Queue) Refresh(ctx context.Context, key string) error {
	j := q.get(key)
	if j.JobID == "" {
		return errNoServerID(key)
	}
	got, err := q.getJob(ctx, j.JobID, Call{Kind: KindPoll})
	if err != nil {
		return err
	}
	return q.absorb(ctx, []apiclient.Job{got})
}
