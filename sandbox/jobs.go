package sandbox

import (
	"encoding/json"
	"time"
)

// Job statuses.
const (
	statusQueued    = "queued"
	statusRunning   = "running"
	statusSucceeded = "succeeded"
	statusFailed    = "failed"
	statusCanceled  = "canceled"
)

type job struct {
	seq      int // index in its org's jobs: creation order
	id       string
	req      jobRequest
	status   string
	credits  float64
	created  time.Time
	eligible time.Time // created + StartDelay: the earliest it may start
	started  time.Time
	finished time.Time
	runFor   time.Duration
	fail     bool
	files    []*outFile // shown once succeeded
	seed     int64
	fileBase string // scheme://host the file links point at
	webhook  string // URL to POST the job to when it ends; "" = none
}

func (j *job) finishAt() time.Time { return j.started.Add(j.runFor) }

// updated is the time of the job's last status change.
func (j *job) updated() time.Time {
	switch {
	case !j.finished.IsZero():
		return j.finished
	case !j.started.IsZero():
		return j.started
	}
	return j.created
}

// jobJSON is a job as the API returns it (API.md), plus started_at.
type jobJSON struct {
	ID         string          `json:"id"`
	Model      string          `json:"model"`
	Status     string          `json:"status"`
	Credits    float64         `json:"credits"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	StartedAt  *time.Time      `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"`
	Output     json.RawMessage `json:"output"`
	Error      *problemBody    `json:"error"`
}

// view is the job as shown at now (file links are signed for now). s.mu held.
func (s *Sandbox) view(j *job, now time.Time) jobJSON {
	v := jobJSON{ID: j.id, Model: j.req.model.ID, Status: j.status, Credits: j.credits, CreatedAt: j.created, UpdatedAt: j.updated()}
	if !j.started.IsZero() {
		t := j.started
		v.StartedAt = &t
	}
	if !j.finished.IsZero() {
		t := j.finished
		v.FinishedAt = &t
	}
	switch j.status {
	case statusSucceeded:
		v.Output = s.outputJSON(j, now)
	case statusFailed:
		p := newProblem(500, codeInternalError, "the model produced no output (sandbox-simulated failure); the job's credits were refunded", "/v1/jobs/"+j.id, nil)
		v.Error = &p
	}
	return v
}

// concurrencyLimit is how many jobs may run at once; 0 = no limit. The
// predictions dialect rejects at creation instead, so nothing waits.
func (s *Sandbox) concurrencyLimit(o *org) int {
	if s.opts.Dialect == DialectPredictions {
		return 0
	}
	return o.limits.Concurrency
}

// advance replays, in time order, every start and finish that happened in
// o up to now: the lazy job lifecycle. s.mu held.
func (s *Sandbox) advance(o *org, now time.Time) {
	limit := s.concurrencyLimit(o)
	for {
		var next *job // earliest-finishing running job; ties go to the older one
		for _, j := range o.running {
			if next == nil || j.finishAt().Before(next.finishAt()) {
				next = j
			}
		}
		if len(o.queued) > 0 && (limit == 0 || len(o.running) < limit) {
			q := o.queued[0]
			at := q.eligible
			if o.cursor.After(at) {
				at = o.cursor // it waited for the slot that freed at the cursor
			}
			if !at.After(now) && (next == nil || !at.After(next.finishAt())) {
				o.queued = o.queued[1:]
				q.status, q.started = statusRunning, at
				o.running = append(o.running, q)
				o.cursor = at
				s.stats.PeakRunningJobs = max(s.stats.PeakRunningJobs, int64(len(o.running)))
				continue
			}
		}
		if next == nil || next.finishAt().After(now) {
			return
		}
		s.finish(o, next)
	}
}

// finish ends a running job at its finish time. s.mu held.
func (s *Sandbox) finish(o *org, j *job) {
	for i, r := range o.running {
		if r == j {
			o.running = append(o.running[:i], o.running[i+1:]...)
			break
		}
	}
	j.finished = j.finishAt()
	o.cursor = j.finished
	if j.fail {
		j.status = statusFailed
		s.refund(o, j)
	} else {
		j.status = statusSucceeded
	}
	s.jobEnded(o, j)
}

func (s *Sandbox) refund(o *org, j *job) {
	o.credits += j.credits
	s.stats.CreditsRefunded += j.credits
}

// active is how many jobs count against concurrency (creation to finish).
func (o *org) active() int { return len(o.queued) + len(o.running) }

// firstSlotFree estimates when an active job will end, for the Retry-After
// of a concurrency rejection.
func (o *org) firstSlotFree(now time.Time) time.Time {
	var at time.Time
	for _, j := range o.running {
		if at.IsZero() || j.finishAt().Before(at) {
			at = j.finishAt()
		}
	}
	for _, j := range o.queued {
		if end := j.eligible.Add(j.runFor); at.IsZero() || end.Before(at) {
			at = end
		}
	}
	if at.Before(now) {
		return now
	}
	return at
}
