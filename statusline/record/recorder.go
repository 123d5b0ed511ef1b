// Package record writes the status line's state file from the responses
// an abtop process sees. It is apart from package statusline because it
// needs the API client, which the lean status line binary must not link.
package record

import (
	"log/slog"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/statusline"
)

// Recorder keeps one profile's state file up to date from the responses
// this process sees. Several processes may record the same profile: the
// last write wins, which is the newest observation.
type Recorder struct {
	path string
	log  *slog.Logger

	mu sync.Mutex
	st statusline.State
}

// NewRecorder starts from the file's current state, so values this
// process has not seen yet (the quota, running jobs) are kept.
func NewRecorder(path, profile string, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := statusline.Read(path)
	if err != nil {
		st = statusline.State{}
	}
	st.Profile = profile
	return &Recorder{path: path, log: log, st: st}
}

// Observe is an apiclient.Options.Observer (chain it with the others).
func (r *Recorder) Observe(o apiclient.Observation) {
	r.update(func(st *statusline.State) bool { return apply(st, o.Snapshot) })
}

// SetRunning records how many jobs run, as the queue or a job list knows.
func (r *Recorder) SetRunning(n int) {
	r.update(func(st *statusline.State) bool {
		if st.Running != nil && *st.Running == n {
			return false
		}
		st.Running = &n
		return true
	})
}

// SetAlerts records the active alerts' one-line texts.
func (r *Recorder) SetAlerts(texts []string) {
	r.update(func(st *statusline.State) bool { st.Alerts = append([]string(nil), texts...); return true })
}

// update writes the state when fn changed it. A failed write is logged:
// the status line going stale must never disturb monitoring.
func (r *Recorder) update(fn func(*statusline.State) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !fn(&r.st) {
		return
	}
	if err := statusline.Write(r.path, r.st); err != nil {
		r.log.Warn("statusline: cannot save state", "err", err)
	}
}

// apply copies what s says into st and reports whether it said anything
// (a transport failure carries no headers and must not look fresh).
// Absent values keep their earlier ones: a response without quota
// headers does not make the quota unknown.
func apply(st *statusline.State, s usage.Snapshot) bool {
	said := false
	if l, ok := s.BindingLimit(); ok && (l.Limit != nil || l.Remaining != nil) {
		st.Unit, st.Limit, st.Remaining, st.Reset = l.Unit, l.Limit, l.Remaining, time.Time{}
		if l.ResetAfter != nil {
			// ResetAfter counts from the server's Date, which is this
			// process's Received: the reset in the local clock.
			st.Reset = s.Received.Add(*l.ResetAfter)
		}
		said = true
	}
	if q := s.Quota; q != nil && (q.Limit != nil || q.Remaining != nil) {
		st.QuotaLimit, st.QuotaRemaining, st.QuotaReset = q.Limit, q.Remaining, time.Time{}
		if q.ResetAfter != nil {
			st.QuotaReset = s.Received.Add(*q.ResetAfter)
		}
		said = true
	}
	if s.Credits != nil {
		st.Credits = s.Credits
		said = true
	}
	if said {
		st.ObservedAt = s.Received
	}
	return said
}
