package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/caps"
	"github.com/google/uuid"
)

// API is what the queue needs from apiclient.Client.
type API interface {
	CreateJob(ctx context.Context, req apiclient.JobRequest, idempotencyKey string) (apiclient.Job, apiclient.Meta, error)
	CancelJob(ctx context.Context, id, idempotencyKey string) (apiclient.Job, apiclient.Meta, error)
	GetJob(ctx context.Context, id string) (apiclient.Job, apiclient.Meta, error)
	Balance(ctx context.Context) (apiclient.Balance, apiclient.Meta, error)
}

// QueueOptions configure a Queue.
type QueueOptions struct {
	Journal   *Journal
	Scheduler *Scheduler
	API       API
	// Track configures following created jobs to their end (track.go).
	Track TrackOptions
	// Keep, when positive, compacts away at Open the batches that ended
	// more than Keep ago (journal_keep; see compact.go).
	Keep time.Duration
	// Workers is how many jobs may be between "granted" and "answered" at
	// once (the budget still decides when each leaves). Default 4.
	Workers int
	Now     func() time.Time // default time.Now
	NewKey  func() string    // default uuid.NewString
	// SlotTTL is the concurrency lease of a created job (default 10 min).
	SlotTTL time.Duration
	// PollEvery is how often a job holding a concurrency slot is polled
	// while the queue waits for a slot (default 2 s).
	PollEvery time.Duration
	// MaxCredits caps what this queue's sends may spend (--max-credits);
	// 0: no cap. At the cap the queue pauses (ReasonCap).
	MaxCredits float64
	// Owner is the endpoint and organization API talks to. New jobs are
	// stamped with it; jobs of another owner found in the journal are
	// held, never sent (see Held).
	Owner Owner
}

// NewJob is a job to enqueue.
type NewJob struct {
	Model   string
	Input   json.RawMessage
	Credits float64 // the model's cost, for the credits gate
	Line    int
}

// Queue runs jobs from the journal through the scheduler.
type Queue struct {
	opts QueueOptions
	hub  hub
	trk  trackState // guarded by mu

	mu    sync.Mutex
	cond  *sync.Cond
	jobs  map[string]*Job
	order []string // keys by Seq
	// reorders counts the times order was re-sorted (Reorder): appends
	// keep positions, a re-sort moves them (see RowsFrom).
	reorders uint64
	claimed  map[string]bool
	paused   string // reason; "" when running
	nextSeq  int64
	changed  chan struct{}
	scan     int // order[:scan] holds no unfinished job (see claim)
	batch    *batchCap
	// capped is set while the pause is a cap's: a submit's workers stop
	// claiming and return instead of waiting for a resume.
	capped bool
	held   []Held
	// probe lets one create out at a time while the server's concurrency
	// behaviour is unknown (see discovery.go).
	probe chan struct{}
}

// Open loads the journal. Every job left pending or sending by an earlier
// run keeps its key and will be sent (again) by Run.
func Open(o QueueOptions) (*Queue, error) {
	if o.Journal == nil || o.Scheduler == nil || o.API == nil {
		return nil, errors.New("queue: journal, scheduler and API are required")
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewKey == nil {
		o.NewKey = uuid.NewString
	}
	if o.SlotTTL <= 0 {
		o.SlotTTL = 10 * time.Minute
	}
	if o.PollEvery <= 0 {
		o.PollEvery = 2 * time.Second
	}
	o.Track = o.Track.withDefaults()
	if o.Track.WebhookURL != "" {
		o.API = webhookAPI{API: o.API, url: o.Track.WebhookURL}
	}
	if o.Keep > 0 {
		if _, err := o.Journal.Compact(o.Now().Add(-o.Keep)); err != nil {
			return nil, err
		}
	}
	jobs, err := o.Journal.Load()
	if err != nil {
		return nil, err
	}
	q := &Queue{opts: o, jobs: map[string]*Job{}, claimed: map[string]bool{}, changed: make(chan struct{}), probe: make(chan struct{}, 1), batch: &batchCap{max: o.MaxCredits}}
	q.cond = sync.NewCond(&q.mu)
	q.trk = newTrackState()
	var foreign []Job
	for i := range jobs {
		j := &jobs[i] // the queue keeps the loaded slice: no second copy of 100,000 jobs
		q.nextSeq = max(q.nextSeq, j.Seq+1)
		if !j.Owner.Same(o.Owner) {
			// another endpoint's or organization's job: not ours to send,
			// cancel, retry or show; it stays in the journal as it is
			foreign = append(foreign, *j)
			continue
		}
		q.jobs[j.Key] = j
		q.order = append(q.order, j.Key)
		q.trk.index(*j)
	}
	q.held = heldBy(foreign)
	return q, nil
}

// Subscribe returns a stream of events and a function to stop it.
func (q *Queue) Subscribe(buf int) (<-chan Event, func()) { return q.hub.subscribe(buf) }

// Enqueue adds jobs, each with a fresh Idempotency-Key, in one durable
// transaction, before any of them is sent, and returns a copy of them.
func (q *Queue) Enqueue(nj ...NewJob) (out []Job, err error) {
	err = q.add(nj, func(added []Job) { out = slices.Clone(added) })
	return out, err
}

// Add is Enqueue for a big batch: it returns the new jobs' keys in order
// and when they were queued, not a copy of every job (45 MB at 100,000).
func (q *Queue) Add(nj ...NewJob) (keys []string, at time.Time, err error) {
	err = q.add(nj, func(added []Job) {
		keys = make([]string, len(added))
		for i := range added {
			keys[i] = added[i].Key
		}
		if len(added) > 0 {
			at = added[0].Enqueued
		}
	})
	return keys, at, err
}

// add journals the new jobs and keeps them, one allocation for the whole
// batch rather than one per job; done sees them under the queue's lock.
func (q *Queue) add(nj []NewJob, done func(added []Job)) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.opts.Now()
	added := make([]Job, len(nj))
	for i, n := range nj {
		added[i] = Job{
			Key: q.opts.NewKey(), Seq: q.nextSeq + int64(i), Model: n.Model, Input: n.Input,
			Credits: n.Credits, Line: n.Line, State: StatePending, Enqueued: now, Updated: now,
			Owner: q.opts.Owner,
		}
	}
	if err := q.opts.Journal.Put(added...); err != nil {
		return err
	}
	q.nextSeq += int64(len(nj))
	for i := range added {
		j := &added[i]
		q.jobs[j.Key] = j
		q.order = append(q.order, j.Key)
	}
	q.signalLocked()
	for i := range added {
		q.hub.publish(Event{Type: EventJob, Job: added[i]})
	}
	done(added)
	return nil
}

// List returns every job in order (a copy).
func (q *Queue) List() []Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Job, 0, len(q.order))
	for _, k := range q.order {
		out = append(out, *q.jobs[k])
	}
	return out
}

// Counts tallies jobs by state.
func (q *Queue) Counts() map[State]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	c := map[State]int{}
	for _, j := range q.jobs {
		c[j.State]++
	}
	return c
}

// Unfinished is the number of jobs still to send.
func (q *Queue) Unfinished() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, j := range q.jobs {
		if j.State.Unfinished() {
			n++
		}
	}
	return n
}

// Pause stops sending new jobs (requests in flight finish).
func (q *Queue) Pause(reason string) {
	if reason == "" {
		reason = "paused"
	}
	q.mu.Lock()
	q.paused, q.capped = reason, false
	q.signalLocked()
	q.mu.Unlock()
	q.hub.publish(Event{Type: EventPaused, Reason: reason})
}

// Resume sends again.
func (q *Queue) Resume() {
	q.mu.Lock()
	q.paused, q.capped = "", false
	q.signalLocked()
	q.mu.Unlock()
	q.hub.publish(Event{Type: EventResumed})
}

// Paused returns the pause reason ("" when running).
func (q *Queue) Paused() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.paused
}

// update applies fn to a job and makes it durable before it takes effect.
// A job the server refunds (failed, canceled) gives its caps back.
func (q *Queue) update(key string, fn func(*Job)) (Job, error) {
	var give caps.Reservation
	var refund bool
	next, err := q.apply(key, func(cur, next *Job) {
		fn(next)
		if refund = refunded(*cur, *next); refund {
			give, next.Cap = next.Cap, caps.Reservation{}
		}
	})
	if err == nil && refund {
		q.refund(key, give)
	}
	return next, err
}

func (q *Queue) apply(key string, fn func(cur, next *Job)) (Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	cur, ok := q.jobs[key]
	if !ok {
		return Job{}, fmt.Errorf("queue: no job with key %s", key)
	}
	next := *cur
	fn(cur, &next)
	next.Updated = q.opts.Now()
	if err := q.opts.Journal.Put(next); err != nil {
		return *cur, err
	}
	if next.State.Unfinished() && !cur.State.Unfinished() {
		q.scan = 0 // a finished job came back: claim must look again
	}
	*cur = next
	q.trk.index(next)
	q.signalLocked()
	q.hub.publish(Event{Type: EventJob, Job: next})
	return next, nil
}

func (q *Queue) signalLocked() {
	q.cond.Broadcast()
	close(q.changed)
	q.changed = make(chan struct{})
}

func (q *Queue) get(key string) Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j, ok := q.jobs[key]; ok {
		return *j
	}
	return Job{}
}

// ShortKey is the first eight characters of an Idempotency-Key: enough to
// tell jobs apart in a message or a log line.
func ShortKey(key string) string {
	if len(key) > 8 {
		return key[:8]
	}
	return key
}

// problemOf extracts the API's problem from an error.
func problemOf(err error) *Problem {
	var ae *apiclient.Error
	if errors.As(err, &ae) {
		p := &Problem{Status: ae.Status, Code: ae.Code, Title: ae.Title, Detail: ae.Detail}
		if p.Detail == "" {
			p.Detail = ae.Message
		}
		for _, f := range ae.Fields {
			p.Fields = append(p.Fields, FieldError{Pointer: f.Pointer, Detail: f.Detail})
		}
		return p
	}
	var be *BlockedError
	if errors.As(err, &be) && be.Err == nil {
		return &Problem{Code: string(be.Reason), Detail: be.Error()}
	}
	var te *apiclient.TransportError
	if errors.As(err, &te) {
		return &Problem{Code: "transport", Detail: err.Error()}
	}
	return &Problem{Code: "error", Detail: err.Error()}
}

// ambiguous: the job may exist on the server (no definite answer).
func ambiguous(err error) bool {
	var ae *apiclient.Error
	if errors.As(err, &ae) {
		// A retryable 409 says a request with this key is still being
		// processed: it may yet create the job.
		return ae.Status >= 500 || ae.Status == 408 || ae.Kind == problem.KindConflict && ae.Retryable
	}
	return true
}
