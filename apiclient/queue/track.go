package queue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
)

// Tracking follows every created job to its end (API.md "Following jobs
// to their end"). One tick is one GET /v1/jobs?updated_since=<cursor> read
// (its pages followed while has_more) for the whole batch, never a read
// per job while the list serves. The cursor is the newest updated_at seen;
// the list is at-or-after, so entries no newer than the record are
// dropped (isNews). A resumed queue starts the cursor at the oldest
// updated_at of its unfinished jobs, from the journal. Reads go through
// the scheduler as low-priority calls, yielding to writes while the window
// runs short, but a read starved for three ticks goes at normal priority:
// tracking never starves behind a long batch.

// TrackOptions configure tracking. Zero values take the defaults.
type TrackOptions struct {
	// Every is the tick while jobs are active (default 2 s, at least 1 s:
	// no job is polled more than once a second). A tick without news
	// stretches the next by half, up to Max (default 4×Every).
	Every, Max time.Duration
	// StaleAfter: an active job with no news for this long (a list that
	// never mentions it) is asked about with GET /v1/jobs/{id}. Default 5 min.
	StaleAfter time.Duration
	// Gets bounds the GETs of one tick (stale jobs, or every active job
	// in turn once the list refused with a 4xx). Default 4.
	Gets int
	// Reconcile is the list read period while webhook deliveries are on
	// (default 30 s); Grace is how long a job may go without news before
	// it is followed as usual again (default 2 min).
	Reconcile, Grace time.Duration
	// WebhookURL is sent with every create when set ("webhook" in the body).
	WebhookURL string
	// MaxRetryFailed is how many times a job the server ran and failed
	// with internal_error is rerun automatically under a new key (rerun.go).
	MaxRetryFailed int
}

func (o TrackOptions) withDefaults() TrackOptions {
	if o.Every <= 0 {
		o.Every = 2 * time.Second
	}
	o.Every = max(o.Every, time.Second)
	if o.Max < o.Every {
		o.Max = 4 * o.Every
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = 5 * time.Minute
	}
	if o.Gets <= 0 {
		o.Gets = 4
	}
	if o.Reconcile <= 0 {
		o.Reconcile = 30 * time.Second
	}
	if o.Grace <= 0 {
		o.Grace = 2 * time.Minute
	}
	return o
}

// PageLister is the paged list read tracking uses (apiclient.Client has it). An API
// without it is followed by GETs.
type PageLister interface {
	ListJobsPage(ctx context.Context, p apiclient.ListJobsParams) (apiclient.JobPage, apiclient.Meta, error)
}

var errNoList = errors.New("queue: the API does not list jobs")

func errNoServerID(key string) error {
	return fmt.Errorf("queue: job %s has no server id yet", ShortKey(key))
}

// maxPages bounds one tick's pages; the next tick goes on from the cursor.
const maxPages = 50

// TrackStats is what tracking cost, for the submit summary and dashboard.
type TrackStats struct {
	ListReads  int // GET /v1/jobs pages sent (retries included)
	GetReads   int // GET /v1/jobs/{id} sent (stale jobs, fresh links, fallback)
	Deliveries int // webhook deliveries that were this queue's jobs
	Ticks      int
	// ListRefused is set once the list answered a 4xx: tracking then
	// follows jobs by GET only.
	ListRefused bool
}

// trackState is tracking's memory; guarded by Queue.mu.
type trackState struct {
	byID   map[string]string    // server job id → key
	active map[string]struct{}  // keys of Active jobs
	heard  map[string]time.Time // key → last news or mention (local clock)
	asked  map[string]time.Time // key → last GET
	cursor time.Time            // newest updated_at seen by a list read
	// rewind is the oldest updated_at of a job that entered tracking
	// since the last list read was planned (rewindAll: one with no time):
	// the next read starts there if that is before the cursor (index).
	rewind     time.Time
	rewindAll  bool
	lastList   time.Time // last list read started
	lastListOK time.Time // last list read answered
	interval   time.Duration
	deliveries bool
	stats      TrackStats
	pokeCh     chan struct{} // a job ended: tracking may be done
	sendCh     chan struct{} // a rerun waits to be sent
}

func newTrackState() trackState {
	return trackState{byID: map[string]string{}, active: map[string]struct{}{}, heard: map[string]time.Time{},
		asked: map[string]time.Time{}, pokeCh: make(chan struct{}, 1), sendCh: make(chan struct{}, 1)}
}

// index keeps the id map and the active set in step with a record.
func (t *trackState) index(j Job) {
	if j.JobID != "" {
		t.byID[j.JobID] = j.Key
	}
	if j.Active() {
		if _, was := t.active[j.Key]; !was {
			// A job that enters tracking after the cursor passed its last
			// change (its create answer came late, or is a replay of the
			// first one) would never be in a list read again: the next
			// read starts from its time (isNews drops what was seen
			// already). Noted, not set: a read in flight now moves the
			// cursor when it ends, and may have passed the job unknown.
			switch u := j.ServerUpdated; {
			case u.IsZero():
				t.rewindAll = true
			case t.rewind.IsZero() || u.Before(t.rewind):
				t.rewind = u
			}
		}
		t.active[j.Key] = struct{}{}
		return
	}
	delete(t.active, j.Key)
	delete(t.heard, j.Key)
	delete(t.asked, j.Key)
	if j.State == StatePending {
		notify(t.sendCh)
	}
}

func (t *trackState) poke() { notify(t.pokeCh) }

func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// TrackStats returns what tracking has cost so far.
func (q *Queue) TrackStats() TrackStats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.trk.stats
}

// Track follows every created job until none is active and none is left
// to send (nil), or ctx ends. Run (or Finish, which runs both) sends.
func (q *Queue) Track(ctx context.Context) error {
	var next time.Time // when the next read is due
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := q.opts.Now()
		q.mu.Lock()
		active, wake, poke := len(q.trk.active), q.changed, q.trk.pokeCh
		q.mu.Unlock()
		if active == 0 {
			if q.Unfinished() == 0 {
				return nil
			}
			select { // wait for a create
			case <-ctx.Done():
			case <-wake:
			}
			continue
		}
		if now.Before(next) {
			t := time.NewTimer(next.Sub(now))
			select {
			case <-ctx.Done():
			case <-t.C:
			case <-poke: // a job ended: maybe the last one
			}
			t.Stop()
			continue
		}
		p := q.planTick(now)
		news, err := q.tick(ctx, p)
		if err != nil && ctx.Err() == nil {
			return err // the journal cannot be written
		}
		next = q.opts.Now().Add(q.nextInterval(ctx, news, p.running))
	}
}

// tickPlan is what one tick reads.
type tickPlan struct {
	list    bool
	since   time.Time
	low     bool
	gets    []string
	running bool
}

func (q *Queue) planTick(now time.Time) tickPlan {
	q.mu.Lock()
	defer q.mu.Unlock()
	t, o := &q.trk, q.opts.Track
	var p tickPlan
	var oldest time.Time
	overdue := false
	var stale []string
	for k := range t.active {
		j := q.jobs[k]
		p.running = p.running || j.State == StateRunning
		h, ok := t.heard[k]
		if !ok {
			h = now
			t.heard[k] = now
		}
		if !j.ServerUpdated.IsZero() && (oldest.IsZero() || j.ServerUpdated.Before(oldest)) {
			oldest = j.ServerUpdated
		}
		if now.Sub(h) >= o.Grace {
			overdue = true
		}
		if now.Sub(t.asked[k]) >= time.Second && (t.stats.ListRefused || now.Sub(h) >= o.StaleAfter) {
			stale = append(stale, k)
		}
	}
	// Least recently heard first, so every job gets its turn.
	slices.SortFunc(stale, func(a, b string) int { return t.heard[a].Compare(t.heard[b]) })
	p.gets = stale[:min(len(stale), o.Gets)]
	switch {
	case t.stats.ListRefused:
	case t.deliveries && !overdue:
		p.list = now.Sub(t.lastList) >= o.Reconcile
	default:
		p.list = true
	}
	p.since = t.cursor
	if p.list {
		switch {
		case t.rewindAll:
			p.since = time.Time{} // from the oldest active job
		case !t.rewind.IsZero() && t.rewind.Before(p.since):
			p.since = t.rewind
		}
		t.rewind, t.rewindAll = time.Time{}, false
	}
	if p.since.IsZero() {
		p.since = oldest // first read, or resumed: from the oldest unfinished job
	}
	if p.since.IsZero() {
		p.since = now.Add(-time.Hour) // the server stated no times: look back
	}
	// Low priority, unless the last answered read is three ticks old.
	ref := t.lastListOK
	if ref.IsZero() {
		ref = t.lastList
	}
	p.low = ref.IsZero() || now.Sub(ref) < 3*max(t.interval, o.Every)
	if p.list {
		t.lastList = now
	}
	t.stats.Ticks++
	return p
}

// tick makes the reads of p; news reports whether any job changed. Read
// failures are left to the next tick; only a journal failure is returned.
func (q *Queue) tick(ctx context.Context, p tickPlan) (bool, error) {
	before := q.changeCount()
	if p.list {
		if err := q.listChanges(ctx, p); err != nil {
			return false, err
		}
	}
	for _, k := range p.gets {
		if err := q.trackGet(ctx, k); err != nil {
			return false, err
		}
	}
	return q.changeCount() != before, nil
}

func (q *Queue) count(fn func(*TrackStats)) {
	q.mu.Lock()
	fn(&q.trk.stats)
	q.mu.Unlock()
}

// changeCount identifies the queue's state: it is replaced whenever a
// record changes.
func (q *Queue) changeCount() chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.changed
}

// nextInterval: Every after news or while jobs run; stretched by half
// after a quiet tick, up to Max. While writes wait to be sent, tracking
// takes at most a tenth of the rate allowance.
func (q *Queue) nextInterval(ctx context.Context, news, running bool) time.Duration {
	o := q.opts.Track
	q.mu.Lock()
	d := q.trk.interval
	switch {
	case d == 0 || news || running:
		d = o.Every
	default:
		d = min(d*3/2, o.Max)
	}
	q.trk.interval = d
	q.mu.Unlock()
	if st, err := q.opts.Scheduler.Store().Snapshot(ctx); err == nil && st.WindowKnown && st.Limit > 0 && st.Window > 0 && q.hasUnsent() {
		d = max(d, st.Window*10/time.Duration(st.Limit))
	}
	return d
}

// hasUnsent: a job waits to be sent (cheap: the claim scan's prefix).
func (q *Queue) hasUnsent() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, k := range q.order[q.scan:] {
		if q.jobs[k].State.Unfinished() {
			return true
		}
	}
	return false
}
