// Package tui is abtop's dashboard: a small root model that routes
// messages to components with one job each (header, gauges, chart, jobs
// table, detail, log, help, forms). It holds no business logic: numbers
// come from the client's observations and polls, jobs from the queue's
// events, and every action is a call on the Queue interface made inside a
// tea.Cmd. It never imports viper or the queue: it gets a plain Options
// struct and the small Monitor and Queue interfaces declared here.
package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/caps"
	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/history"
	"github.com/abtop-dev/abtop/tui/data"
)

// Re-exported so callers (adapters, fakes) need one import.
type (
	Job        = data.Job
	JobSpec    = data.Spec
	QueueEvent = data.Event
	QueueState = data.QueueState
	LineError  = data.LineError
)

// Monitor is the read side of the API the dashboard polls.
type Monitor interface {
	// Poll makes the cheap request(s) of one refresh (e.g. GET /v1/balance)
	// and says how many requests it spent.
	Poll(ctx context.Context) (PollResult, error)
	// Models lists the models for the add-job form (GET /v1/models).
	Models(ctx context.Context) ([]apiclient.Model, error)
}

// PollResult is what one refresh returned.
type PollResult struct {
	Balance *apiclient.Balance // nil when the poll did not fetch it
	// Snapshot of the last response; used only when the dashboard has no
	// Observations channel (otherwise the observer already reported it).
	Snapshot usage.Snapshot
	Requests int // requests this poll spent (shown as abtop's own cost)
	// Running and Concurrency, when the poll learned them (0: unknown).
	Running     int
	Concurrency int
	// Caps are the profile's spending caps and what is reserved against
	// them now (shown as gauges beside the server's limits).
	Caps []caps.Line
	// Limiter is how the budget is shared with other abtop processes; the
	// zero value when it is this process's alone.
	Limiter budget.Sharing
	// Batches is one line about the batches other abtop processes run
	// for this organization ("2 other batches: a.jsonl 12/200 · …"); ""
	// when none.
	Batches string
	// Embargo is a Retry-After the shared budget holds (another process
	// may have received it), on this machine's clock; zero when none.
	Embargo time.Time
}

// Queue is the batch queue as the dashboard uses it. Every method may do
// I/O (journal, network) and is only ever called from a tea.Cmd.
type Queue interface {
	Events() <-chan QueueEvent
	Jobs() []Job
	State() QueueState
	Enqueue(ctx context.Context, s JobSpec) error
	// LoadFile validates a JSON Lines file and enqueues all of it, or
	// nothing: a *FileError lists the bad lines.
	LoadFile(ctx context.Context, path string) (int, error)
	Pause(ctx context.Context) error
	Resume(ctx context.Context) error
	// Cancel cancels a job by its key (server-side when already created;
	// a 409 comes back as an *apiclient.Error).
	Cancel(ctx context.Context, key string) error
	RetryFailed(ctx context.Context) (int, error)
}

// Rerunner is a Queue that can run a job the server ran and failed again,
// as a new job with a new Idempotency-Key (the dashboard's r on such a
// row). It refuses jobs whose failure would repeat (validation, plan,
// credits) with an error that says why.
type Rerunner interface {
	Rerun(ctx context.Context, key string) error
}

// ChartSource is the history store as the zoomed chart reads it: span
// ending at now in n buckets. Only ever called from a tea.Cmd.
type ChartSource interface {
	Chart(ctx context.Context, span time.Duration, n int, now time.Time) (history.Chart, error)
}

// ForecastSource is the history store as the gauges' forecast reads it:
// this profile's balance and quota at pace, looking back from now; ok is
// false when neither was observed. Only ever called from a tea.Cmd.
type ForecastSource interface {
	Forecast(ctx context.Context, pace estimate.Pace, now time.Time) (f estimate.Forecast, ok bool, err error)
}

// Previewer is a Queue that can estimate a file before loading it (the
// dry run's two reads, no write): the dashboard shows the estimate after
// the first enter and loads the file on the second. PreviewFile returns
// the estimate's text, one line each, or a *FileError.
type Previewer interface {
	PreviewFile(ctx context.Context, path string) ([]string, error)
}

// FileError is a JSONL file that failed validation, by line.
type FileError struct {
	Path  string
	Lines []LineError
}

func (e *FileError) Error() string {
	if len(e.Lines) == 0 {
		return e.Path + ": invalid"
	}
	parts := make([]string, 0, 3)
	for i, l := range e.Lines {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Lines)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("line %d: %s", l.Line, l.Msg))
	}
	return e.Path + ": " + strings.Join(parts, "; ")
}

// errNoQueue is what a queue key says when no queue is wired in.
var errNoQueue = fmt.Errorf("the job queue is not available in this build: monitoring only")

// Options configure the dashboard: a plain struct, no viper.
type Options struct {
	Profile      string
	MaskedToken  string // already masked (ab_…wxyz)
	TokenSource  string
	Sandbox      bool
	NoColor      bool
	PollInterval time.Duration       // default 5 s
	Keys         map[string][]string // action → keys remapping

	Monitor Monitor
	Queue   Queue // nil: monitoring only; queue keys say so
	// NoQueueReason says why Queue is nil and what to do about it (the
	// journal is held by a running submit, the state directory is
	// read-only); shown at start and on every queue key.
	NoQueueReason string
	// Notices are said once at start, in the status line and the log
	// (e.g. jobs in the journal that belong to another endpoint).
	Notices []string
	// Observations carries every response the client saw (the client's
	// Observer sends here); nil when not wired.
	Observations <-chan apiclient.Observation
	// History feeds the chart when it is zoomed out to a span the live
	// chart does not hold (z); nil: the live chart only.
	History ChartSource
	// Forecast is the credits and quota gauges' forecast from the history
	// (it outlives restarts); nil: the gauges use the session's own pace.
	Forecast ForecastSource
	// Alerts carries the alerts that fired (banner, bell, notification);
	// nil when not wired.
	Alerts <-chan Alert
	// ModelsWaits carries each wait of the models request (the rate
	// window, a Retry-After, a retry) as it starts; nil when not wired.
	ModelsWaits <-chan ModelsWait

	// Opener opens an output file with the user's application for it (enter
	// on a job with files); nil: SystemOpener. Called only from a tea.Cmd.
	Opener func(path string) error

	// Batches lists the batches other abtop processes run, for the batch
	// picker (b); nil: none can be listed.
	Batches BatchSource

	// Now is the clock; default time.Now. Tests pass a fixed one.
	Now func() time.Time
	// Context bounds every command; default context.Background().
	Context context.Context
}
