// The calls: one logical request through the budget (Do), its attempts
// (send) and what each answer teaches (learn, exactDrop).

package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

// Do sends fn through the budget. With c.Retry it retries as the API
// contract says; fn must then reuse the same Idempotency-Key each time.
func (s *Scheduler) Do(ctx context.Context, c Call, fn func(context.Context) (apiclient.Meta, error)) error {
	faults := 0
	for attempt := 1; ; attempt++ {
		g, err := s.acquire(ctx, c)
		if err != nil {
			return err
		}
		if c.OnAttempt != nil {
			if err := c.OnAttempt(attempt); err != nil {
				s.endSolo()
				_ = s.opts.Store.Cancel(context.WithoutCancel(ctx), g)
				return err
			}
		}
		err = s.send(ctx, c, g, fn)
		if err == nil {
			if c.OnSuccess != nil {
				c.OnSuccess(g)
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		out := classify(err)
		if !c.Retry {
			if out == outCredits {
				return &BlockedError{Reason: budget.ReasonCredits, Err: err}
			}
			return err
		}
		switch out {
		case outRateLimit, outQuota:
			// The budget now holds the embargo or the quota reset; the
			// next acquire waits for it.
		case outConcurrency:
			if c.SlotWait != nil {
				if err := c.SlotWait(ctx); err != nil {
					return err
				}
				break
			}
			var ae *apiclient.Error
			d := s.Backoff(attempt)
			if errors.As(err, &ae) && ae.Wait > 0 {
				d = ae.Wait
			}
			if err := s.backoff(ctx, c, Wait{Reason: budget.ReasonConcurrency, For: d, Text: "concurrency limit, " + human(d)}); err != nil {
				return err
			}
		case outBackoff:
			faults++
			if faults >= s.opts.MaxAttempts {
				return fmt.Errorf("gave up after %d attempts: %w", attempt, err)
			}
			d := s.Backoff(faults)
			var ae *apiclient.Error
			if errors.As(err, &ae) && ae.Wait > d {
				d = ae.Wait // this request waits the 503's Retry-After
			}
			// said, not silent: which retry of how many, when, and why
			text := fmt.Sprintf("retrying (%d/%d) in %s: %s", faults+1, s.opts.MaxAttempts, human(d), apiclient.Cause(err))
			if err := s.backoff(ctx, c, Wait{Reason: ReasonBackoff, For: d, Text: text}); err != nil {
				return err
			}
		case outCredits:
			return &BlockedError{Reason: budget.ReasonCredits, Err: err}
		default:
			return err
		}
		s.mu.Lock()
		s.stats.Retries++
		s.mu.Unlock()
	}
}

// backoff sleeps a wait that ends by time only, parked (Call.Park) so
// the caller's worker serves other jobs meanwhile.
func (s *Scheduler) backoff(ctx context.Context, c Call, w Wait) error {
	if c.Park != nil {
		defer c.Park()()
	}
	return s.sleep(ctx, c, w, false)
}

// send makes one attempt and teaches the budget from it.
func (s *Scheduler) send(ctx context.Context, c Call, g budget.Grant, fn func(context.Context) (apiclient.Meta, error)) error {
	s.mu.Lock()
	alone := s.inflight == 0
	seq := s.seq
	s.inflight++
	s.solo = false // in flight now: inflight keeps the others back
	s.attempts++
	n := s.attempts
	s.mu.Unlock()

	sent := s.opts.Now()
	meta, overdue, err := s.attempt(ctx, c.Kind, g, n, fn)
	recv := s.opts.Now()
	o := observation(g, sent, recv, meta, err)
	if overdue {
		o.Overdue = -g.Cost
	}
	s.unavailable(&o, err, n)
	_ = s.opts.Store.Observe(context.WithoutCancel(ctx), o)

	snap := meta.Snapshot
	var ae *apiclient.Error
	if errors.As(err, &ae) {
		snap = ae.Snapshot
	}
	s.learn(c.Kind, g, o, snap, alone, seq, sent, recv, err)
	return err
}

// attempt runs fn (attempt number n) under the kind's attempt deadline
// (stall.go) and records how long it took; overdue says the budget was
// told its answer was overdue.
func (s *Scheduler) attempt(ctx context.Context, k Kind, g budget.Grant, n uint64, fn func(context.Context) (apiclient.Meta, error)) (meta apiclient.Meta, overdue bool, err error) {
	limit, late := s.attemptDeadline(k)
	actx, giveUp := context.WithCancelCause(ctx)
	defer giveUp(nil)
	if limit > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(actx, limit)
		defer cancel()
	}
	stop := func() bool { return false }
	if late > 0 && late < limit {
		stop = s.watchOverdue(ctx, g, n, late, func() { giveUp(errOvertaken) })
	}
	start := s.opts.Now()
	meta, err = fn(actx)
	took := s.opts.Now().Sub(start)
	overdue = stop()
	var ae *apiclient.Error
	var te *apiclient.TransportError
	switch {
	case err == nil, errors.As(err, &ae), meta.Status != 0:
		s.noteLatency(k, took)
		if ae == nil || ae.Status < 500 {
			// The API's own answer: evidence that it answers, which a
			// gateway's page (quicker than any answer) is not.
			s.noteAnswered(n)
		}
	case ctx.Err() == nil && errors.Is(context.Cause(actx), errOvertaken) &&
		(errors.Is(err, errOvertaken) || errors.Is(err, context.Canceled)):
		// Failed because it was given up, not for a reason of its own
		// (a connection closed just before).
		// Given up as overtaken: a timeout like the deadline's, at
		// the time it took.
		s.noteLatency(k, took)
		if errors.As(err, &te) {
			te.Timeout, te.After, te.Err = true, took, context.DeadlineExceeded
		}
	case limit > 0 && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded):
		// Given up as a stall: recorded at the deadline, and said so
		// (the client's error names its own, longer timeout).
		s.noteLatency(k, limit)
		if errors.As(err, &te) {
			te.Timeout, te.After = true, limit
		}
	}
	return meta, overdue, err
}

// errOvertaken is the cause an attempt is given up with when attempts
// sent after it were answered (watchOverdue).
var errOvertaken = errors.New("overtaken by later answers")

// learn updates point costs and counters, then wakes every waiter.
func (s *Scheduler) learn(k Kind, g budget.Grant, o budget.Observation, snap usage.Snapshot, alone bool, seq uint64, sent, recv time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	s.stats.Requests++
	if s.stats.FirstSent.IsZero() {
		s.stats.FirstSent = sent
	}
	s.stats.LastRecv = recv
	var ae *apiclient.Error
	var te *apiclient.TransportError
	switch {
	case errors.As(err, &ae) && ae.Status == 429:
		s.stats.HTTP429++
	case errors.As(err, &ae) && ae.Status >= 500, errors.As(err, &te):
		s.stats.Faults++
	}
	if o.HasRate {
		if unitOf(snap) == usage.UnitPoints {
			s.points = true
		}
		if l, ok := snap.BindingLimit(); ok && l.Cost != nil && *l.Cost >= 1 && *l.Cost <= 10 && !o.RateLimited {
			s.costs[k] = *l.Cost // the server said
		} else if s.exactDrop(g, alone, seq, o) {
			if d := s.lastRem - o.Remaining; d >= 1 && d <= 10 {
				s.costs[k] = d
			}
		}
		s.lastAlone, s.lastSeq = g.Alone, g.Seq
		s.lastWin, s.lastRem = o.WindowID, o.Remaining
		s.stats.Limit = o.Limit
		if !o.RateLimited { // the server counted it
			s.stats.Units += o.Settle
			if !o.WindowID.IsZero() {
				s.perWindow[o.WindowID] += o.Settle
				if k == KindCreate {
					s.noteCreate(o.WindowID, recv)
				}
			}
		}
	}
	s.seq++
	close(s.wake)
	s.wake = make(chan struct{})
}

// exactDrop says whether the drop in Remaining from the previous answer to
// o is exactly this request's cost: both in one server window and nothing
// but this request counted in between. With a store that numbers its
// grants (every budget.State does) that means the two grants were
// consecutive and each was made with nothing else in flight, in any
// process sharing the store: a drop measured with only this process's view
// includes what other submitters spent meanwhile (2–5 for a 1-request
// cost was measured with three), and taking it for the cost made every
// later request reserve several units, leaving a third of each window
// unused. Without grant numbers, this process's view is all there is.
// Call with s.mu held.
func (s *Scheduler) exactDrop(g budget.Grant, alone bool, seq uint64, o budget.Observation) bool {
	if !alone || seq != s.seq || o.WindowID.IsZero() || !o.WindowID.Equal(s.lastWin) {
		return false
	}
	if g.Seq == 0 {
		return true
	}
	return g.Alone && s.lastAlone && g.Seq == s.lastSeq+1
}

// takeSolo takes the turn to send a request of unknown cost alone, unless
