// Package queue sends API requests for one organization through its budget
// (Scheduler), and runs batches of jobs from a crash-safe journal (Queue).
package queue

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/caps"
	"github.com/abtop-dev/abtop/internal/format"
)

// Kind names a request class; point costs are learned per kind.
type Kind string

const (
	KindRead   Kind = "read"   // GET /v1/balance, /v1/models, /v1/jobs/{id}
	KindCreate Kind = "create" // POST /v1/jobs
	KindCancel Kind = "cancel" // POST /v1/jobs/{id}/cancel
	KindPoll   Kind = "poll"   // the monitor's own polls: low priority
	KindList   Kind = "list"   // GET /v1/jobs: tracking's reads (their own point cost)
)

// Call describes one logical request.
type Call struct {
	Kind Kind
	// Low lets the request wait while the window runs short, like the
	// monitor's polls (KindPoll always is): tracking reads yield to writes.
	Low     bool
	Write   bool    // counts against the monthly quota
	Credits float64 // credits it will charge (a job's model cost)
	// Retry makes Do retry 429s, concurrency rejections, quota waits and
	// server faults (the caller's fn must reuse its Idempotency-Key).
	Retry bool
	// OnAttempt runs after the budget granted attempt n and before it
	// leaves; an error aborts without sending (the journal writes "sending"
	// here, so a request never leaves before it is on disk).
	OnAttempt func(n int) error
	// OnWait reports each wait as it starts.
	OnWait func(Wait)
	// OnSuccess receives the grant of the attempt that succeeded (its Cap
	// is the job's reservation against the caps, to give back on a refund).
	OnSuccess func(budget.Grant)
	// SlotWait, when set, is how a concurrency rejection is waited out
	// (the queue waits for one of its jobs to finish) instead of a
	// blind backoff, which drew a 429 per retry while the limit was
	// unknown to the slots.
	SlotWait func(context.Context) error
}

// Wait is one wait the scheduler imposes.
type Wait struct {
	Reason budget.Reason // or ReasonBackoff
	For    time.Duration
	Until  time.Time // when the wait ends (the scheduler's clock)
	Text   string    // "rate window 12 s", "Retry-After 30 s", "backoff 2 s", …
}

// Label is the wait's text without its duration, for a live countdown
// ("rate window", "Retry-After", "backoff", "concurrency limit,").
func (w Wait) Label() string {
	switch w.Reason {
	case budget.ReasonRate:
		return "rate window"
	case budget.ReasonRetryAfter:
		return "Retry-After"
	case ReasonBackoff:
		return "backoff"
	}
	return ""
}

// ReasonBackoff is a wait after a server fault.
const ReasonBackoff budget.Reason = "backoff"

// ReasonJournal pauses the queue when its journal cannot be written.
const ReasonJournal budget.Reason = "journal"

// BlockedError is returned when a gate cannot open by waiting (credits
// exhausted, a quota with no known reset): the queue pauses with the reason.
type BlockedError struct {
	Reason budget.Reason
	Err    error // the response that said so, when one did
	// Reached says which cap stops the job and when it lifts (ReasonCap).
	Reached *caps.Reached
}

func (e *BlockedError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("paused (%s): %v", e.Reason, e.Err)
	}
	return fmt.Sprintf("paused (%s)", e.Reason)
}

func (e *BlockedError) Unwrap() error { return e.Err }

// Stats counts what the scheduler did.
type Stats struct {
	Requests  int
	HTTP429   int
	Retries   int
	Units     int64 // rate units spent (requests or points) by answered requests
	Faults    int   // 5xx and transport failures
	FirstSent time.Time
	LastRecv  time.Time
	Limit     int64
	Window    time.Duration
}

// Options configure a Scheduler.
type Options struct {
	Store budget.Store
	Now   func() time.Time // default time.Now
	// Jitter returns a uniform value in [0,1); default math/rand/v2.
	Jitter func() float64
	// MaxAttempts bounds attempts on server faults (default 8).
	MaxAttempts int
	BaseBackoff time.Duration // default 250 ms
	MaxBackoff  time.Duration // default 30 s
	// Caps are the user's spending caps every job creation (KindCreate)
	// reserves its credits against in the store; nil: none.
	Caps *caps.Caps
}

// Scheduler is one organization's gate: every request, the monitor's polls
// included, goes through Do.
type Scheduler struct {
	opts Options

	mu       sync.Mutex
	wake     chan struct{} // closed and replaced on every observation
	costs    map[Kind]int64
	points   bool
	lastWin  time.Time
	lastRem  int64
	seq      uint64 // observations so far
	inflight int
	// solo is set while a request of unknown cost holds its turn to go out
	// alone (from its Reserve until it is in flight): see acquire.
	solo bool
	// lastAlone and lastSeq describe the grant of the previous answer
	// (see exactDrop).
	lastAlone bool
	lastSeq   uint64
	// unavail counts 503s with Retry-After in a row (see unavailable).
	unavail int
	stats   Stats
	// perWindow counts the rate units our answered requests spent in each
	// server window (by WindowID), for Allowance.
	perWindow map[time.Time]int64
}

// NewScheduler builds a scheduler over a budget store.
func NewScheduler(o Options) *Scheduler {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Jitter == nil {
		o.Jitter = rand.Float64
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 250 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	return &Scheduler{opts: o, wake: make(chan struct{}), costs: map[Kind]int64{}, perWindow: map[time.Time]int64{}}
}

// Store returns the budget store.
func (s *Scheduler) Store() budget.Store { return s.opts.Store }

// Stats returns a copy of the counters.
func (s *Scheduler) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// cost is the rate cost of a call: what its kind was last seen to cost
// (the drop in Remaining when it was alone in flight: 1 for request
// budgets, 1–10 for point budgets), and whether that is known yet. Until
// it is, the guess follows seed 003 (writes 3, reads 1) and the request
// goes out alone.
func (s *Scheduler) cost(k Kind) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.costs[k]; ok {
		return c, true
	}
	if s.points && (k == KindCreate || k == KindCancel) {
		return 3, false
	}
	return 1, false
}

// Backoff returns the full-jitter backoff before attempt n+1 (n ≥ 1).
func (s *Scheduler) Backoff(n int) time.Duration {
	d := s.opts.BaseBackoff << min(n-1, 20)
	if d > s.opts.MaxBackoff || d <= 0 {
		d = s.opts.MaxBackoff
	}
	return time.Duration(s.opts.Jitter() * float64(d))
}

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
			if err := s.sleep(ctx, c, Wait{Reason: budget.ReasonConcurrency, For: d, Text: "concurrency limit, " + human(d)}, false); err != nil {
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
			if err := s.sleep(ctx, c, Wait{Reason: ReasonBackoff, For: d, Text: "backoff " + human(d)}, false); err != nil {
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

// send makes one attempt and teaches the budget from it.
func (s *Scheduler) send(ctx context.Context, c Call, g budget.Grant, fn func(context.Context) (apiclient.Meta, error)) error {
	s.mu.Lock()
	alone := s.inflight == 0
	seq := s.seq
	s.inflight++
	s.solo = false // in flight now: inflight keeps the others back
	s.mu.Unlock()

	sent := s.opts.Now()
	meta, err := fn(ctx)
	recv := s.opts.Now()
	o := observation(g, sent, recv, meta, err)
	s.unavailable(&o, err)
	_ = s.opts.Store.Observe(context.WithoutCancel(ctx), o)

	snap := meta.Snapshot
	var ae *apiclient.Error
	if errors.As(err, &ae) {
		snap = ae.Snapshot
	}
	s.learn(c.Kind, g, o, snap, alone, seq, sent, recv, err)
	return err
}

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
			}
		}
	}
	s.seq++
	close(s.wake)
	s.wake = make(chan struct{})
}

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
