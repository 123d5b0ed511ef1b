package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/history"
)

// Messages. Commands only carry values back; all state changes happen in
// Update when these arrive.
type (
	// frameMsg redraws once a second so ages and countdowns move. There is
	// exactly one chain of them: started in Init, renewed on arrival.
	frameMsg struct{}
	// pollTickMsg asks for a poll. gen is the generation that scheduled it;
	// a tick from an older generation (before a manual refresh) is dropped,
	// so ticks can never multiply.
	pollTickMsg struct{ gen int }
	pollDoneMsg struct {
		gen int
		res PollResult
		err error
	}
	obsMsg       []apiclient.Observation
	obsClosedMsg struct{}
	queueMsg     []QueueEvent
	queueGoneMsg struct{}
	queueInitMsg struct {
		jobs  []Job
		state QueueState
	}
	modelsMsg struct {
		models []apiclient.Model
		err    error
	}
	actionDoneMsg struct {
		what    action
		subject string // what it acted on, for the status line ("job_…"); "" for the queue
		n       int
		err     error
	}
	loadDoneMsg struct {
		path string
		n    int
		err  error
	}
	chartDoneMsg struct {
		zoom int
		data history.Chart
		err  error
	}
	previewDoneMsg struct {
		path  string
		lines []string
		err   error
	}
)

const drainMax = 512

func frameCmd() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return frameMsg{} })
}

func pollTickCmd(gen int, after time.Duration) tea.Cmd {
	if after <= 0 {
		return func() tea.Msg { return pollTickMsg{gen} }
	}
	return tea.Tick(after, func(time.Time) tea.Msg { return pollTickMsg{gen} })
}

func pollCmd(ctx context.Context, mon Monitor, gen int) tea.Cmd {
	return func() tea.Msg {
		res, err := mon.Poll(ctx)
		return pollDoneMsg{gen: gen, res: res, err: err}
	}
}

// listenObs waits for the next observations and drains what else is
// already queued, so a burst costs one Update, not hundreds.
func listenObs(ch <-chan apiclient.Observation) tea.Cmd {
	return func() tea.Msg {
		o, ok := <-ch
		if !ok {
			return obsClosedMsg{}
		}
		return obsMsg(drain(ch, o))
	}
}

// listenQueue is listenObs for the queue's events.
func listenQueue(ch <-chan QueueEvent) tea.Cmd {
	return func() tea.Msg {
		e, ok := <-ch
		if !ok {
			return queueGoneMsg{}
		}
		return queueMsg(drain(ch, e))
	}
}

// drain returns first and what else ch already holds, at most drainMax in
// all, without waiting. A close is left for the next listen to see.
func drain[T any](ch <-chan T, first T) []T {
	batch := []T{first}
	for len(batch) < drainMax {
		select {
		case v, ok := <-ch:
			if !ok {
				return batch
			}
			batch = append(batch, v)
		default:
			return batch
		}
	}
	return batch
}

func queueInitCmd(q Queue) tea.Cmd {
	return func() tea.Msg { return queueInitMsg{jobs: q.Jobs(), state: q.State()} }
}

func modelsCmd(ctx context.Context, mon Monitor) tea.Cmd {
	return func() tea.Msg {
		ms, err := mon.Models(ctx)
		return modelsMsg{ms, err}
	}
}

func actionCmd(what action, f func() (int, error)) tea.Cmd { return actionCmdFor(what, "", f) }

func actionCmdFor(what action, subject string, f func() (int, error)) tea.Cmd {
	return func() tea.Msg {
		n, err := f()
		return actionDoneMsg{what: what, subject: subject, n: n, err: err}
	}
}

// chartCmd reads the zoomed chart's span from the history store.
func chartCmd(ctx context.Context, src ChartSource, zoom int, now time.Time, n int) tea.Cmd {
	return func() tea.Msg {
		c, err := src.Chart(ctx, history.Zooms[zoom-1], n, now)
		return chartDoneMsg{zoom: zoom, data: c, err: err}
	}
}

func previewCmd(ctx context.Context, p Previewer, path string) tea.Cmd {
	return func() tea.Msg {
		lines, err := p.PreviewFile(ctx, path)
		return previewDoneMsg{path: path, lines: lines, err: err}
	}
}

func loadCmd(ctx context.Context, q Queue, path string) tea.Cmd {
	return func() tea.Msg {
		n, err := q.LoadFile(ctx, path)
		return loadDoneMsg{path: path, n: n, err: err}
	}
}

// action is a queue operation the dashboard started; its value names it in
// the status line ("cancel job_… failed: …").
type action string

const (
	actEnqueue action = "enqueue"
	actCancel  action = "cancel"
	actRetry   action = "retry"
	actRerun   action = "rerun"
	actPause   action = "pause"
	actResume  action = "resume"
)
