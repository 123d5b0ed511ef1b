// Package queue sends API requests for one organization through its budget
// (Scheduler), and runs batches of jobs from a crash-safe journal (Queue).
package queue

import (
	"context"
	"fmt"
	"github.com/abtop-dev/abtop/caps"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
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
	// Park, when set, runs before a backoff (a wait that ends by time
	// only and holds no grant) and the func it returns after it: the
	// queue lends the worker to another job meanwhile (workers.go).
	Park func() (resume func())
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
	}
	return "" // a backoff's text says its retry count and cause: shown whole
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
	// attempts numbers the attempts in the order they are sent;
	// answered is the highest number answered (stall.go).
	attempts uint64
	answered uint64
	// solo is set while a request of unknown cost holds its turn to go out
	// alone (from its Reserve until it is in flight): see acquire.
	solo bool
	// lastAlone and lastSeq describe the grant of the previous answer
	// (see exactDrop).
	lastAlone bool
	lastSeq   uint64
	// unavail holds the numbers of recent attempts answered with a 503
	// with Retry-After (see unavailable).
	unavail map[uint64]struct{}
	stats   Stats
	// perWindow counts the rate units our answered requests spent in each
	// server window (by WindowID), for Allowance.
	perWindow map[time.Time]int64
	// createFirst and createLast are the first and last windows in which a
	// create was answered, createLastRecv when the last one arrived: the
	// creation phase Allowance measures.
	createFirst, createLast, createLastRecv time.Time
	// lat holds each kind's recent attempt times (stall.go).
	lat map[Kind]*latencies
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
	return &Scheduler{opts: o, wake: make(chan struct{}), costs: map[Kind]int64{}, perWindow: map[time.Time]int64{}, lat: map[Kind]*latencies{}, unavail: map[uint64]struct{}{}}
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
