// The waiting loop: acquire asks the budget until it grants, sleeping
// through each wait (or until an observation may have changed it).

package queue

import (
	"context"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/internal/format"
)

// acquire waits until the budget grants c.
func (s *Scheduler) acquire(ctx context.Context, c Call) (budget.Grant, error) {
	var last budget.Reason
	var lastUntil time.Time
	for {
		if err := ctx.Err(); err != nil {
			return budget.Grant{}, err
		}
		now := s.opts.Now()
		cost, sure := s.cost(c.Kind)
		if !sure {
			// A request of unknown cost goes out alone among this
			// process's requests, so its answer teaches the cost. Alone
			// here, not in the store: a shared store's in-flight count
			// includes other processes, which are (almost) never all
			// idle at once, so asking the store for exclusivity starved
			// a submitter for many seconds.
			if wake, busy := s.takeSolo(); busy {
				if err := s.waitWake(ctx, wake); err != nil {
					return budget.Grant{}, err
				}
				continue
			}
		}
		req := budget.Request{Now: now, Cost: cost, Low: c.Kind == KindPoll || c.Low, Write: c.Write, Credits: c.Credits}
		if c.Kind == KindCreate {
			req.Caps = s.opts.Caps
		}
		g, err := s.opts.Store.Reserve(ctx, req)
		if err != nil || !g.OK {
			if !sure {
				s.endSolo()
			}
		}
		if err != nil {
			return budget.Grant{}, err
		}
		if g.OK {
			return g, nil
		}
		if g.Blocked {
			be := &BlockedError{Reason: g.Reason}
			if g.Reached != nil {
				be.Err, be.Reached = g.Reached, g.Reached
			}
			return budget.Grant{}, be
		}
		w := Wait{Reason: g.Reason, For: g.Wait, Text: waitText(g.Reason, g.Wait, now)}
		// Report a wait when its reason changes or the reported one is
		// over (a display must not show a wait that has ended).
		report := (g.Reason != last || !now.Before(lastUntil)) && g.Wait >= 50*time.Millisecond
		if err := s.sleep(ctx, c, w, !report); err != nil {
			return budget.Grant{}, err
		}
		if report {
			last, lastUntil = g.Reason, now.Add(g.Wait)
		}
	}
}

// another request of this process is in flight or holds the turn; then it
// returns the channel that closes at the next observation.
func (s *Scheduler) takeSolo() (wake chan struct{}, busy bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight > 0 || s.solo {
		return s.wake, true
	}
	s.solo = true
	return nil, false
}

// endSolo gives the turn back when the request did not go out.
func (s *Scheduler) endSolo() {
	s.mu.Lock()
	s.solo = false
	s.mu.Unlock()
}

// waitWake waits for the next observation (or a short while: a turn given
// back without an observation wakes nobody).
func (s *Scheduler) waitWake(ctx context.Context, wake chan struct{}) error {
	t := time.NewTimer(5 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-wake:
	case <-t.C:
	}
	return nil
}

// sleep waits w.For (or until an observation may have changed the budget,
// when wakeable), reporting the wait unless quiet.
func (s *Scheduler) sleep(ctx context.Context, c Call, w Wait, quiet bool) error {
	if c.OnWait != nil && !quiet {
		w.Until = s.opts.Now().Add(w.For)
		c.OnWait(w)
	}
	s.mu.Lock()
	wake := s.wake
	s.mu.Unlock()
	if w.Reason == ReasonBackoff || w.Reason == budget.ReasonConcurrency || w.Reason == budget.ReasonRetryAfter {
		wake = nil // these end by time only
	}
	t := time.NewTimer(w.For)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-wake:
	}
	return nil
}

func waitText(r budget.Reason, d time.Duration, now time.Time) string {
	switch r {
	case budget.ReasonRate:
		return "rate window " + human(d)
	case budget.ReasonRetryAfter:
		return "Retry-After " + human(d)
	case budget.ReasonQuota:
		return "quota until " + now.Add(d).UTC().Format("2 Jan 15:04")
	}
	return string(r) + " " + human(d)
}

func human(d time.Duration) string { return format.Duration(d) }
