package statusline

import (
	"log/slog"
	"sync"

	"github.com/abtop-dev/abtop/apiclient"
)

// Recorder keeps one profile's state file up to date from the responses
// this process sees. Several processes may record the same profile: the
// last write wins, which is the newest observation.
type Recorder struct {
	path string
	log  *slog.Logger

	mu sync.Mutex
	st State
}

// NewRecorder starts from the file's current state, so values this
// process has not seen yet (the quota, running jobs) are kept.
func NewRecorder(path, profile string, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := Read(path)
	if err != nil {
		st = State{}
	}
	st.Profile = profile
	return &Recorder{path: path, log: log, st: st}
}

// Observe is an apiclient.Options.Observer (chain it with the others).
func (r *Recorder) Observe(o apiclient.Observation) {
	r.update(func(st *State) bool { return st.Apply(o.Snapshot) })
}

// SetRunning records how many jobs run, as the queue or a job list knows.
func (r *Recorder) SetRunning(n int) {
	r.update(func(st *State) bool {
		if st.Running != nil && *st.Running == n {
			return false
		}
		st.Running = &n
		return true
	})
}

// SetAlerts records the active alerts' one-line texts.
func (r *Recorder) SetAlerts(texts []string) {
	r.update(func(st *State) bool { st.Alerts = append([]string(nil), texts...); return true })
}

// update writes the state when fn changed it. A failed write is logged:
// the status line going stale must never disturb monitoring.
func (r *Recorder) update(fn func(*State) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !fn(&r.st) {
		return
	}
	if err := Write(r.path, r.st); err != nil {
		r.log.Warn("statusline: cannot save state", "err", err)
	}
}
