package main

import (
	"context"
	"fmt"
	"github.com/abtop-dev/abtop/apiclient"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/jobfile"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/session"
	"github.com/abtop-dev/abtop/tui"
	"github.com/abtop-dev/abtop/tui/data"
)

// queueAdapter presents *queue.Queue as tui.Queue: it converts jobs and
// events to the TUI's plain values, and hands the jobs queued here to the
// downloads when the profile has out:. Rows move from the queue's own
// events (tracking follows every created job to its end): nothing here
// lists jobs.
type queueAdapter struct {
	ctx    context.Context
	q      *queue.Queue
	store  budget.Store
	mon    *monitorAdapter
	out    *dashOut // nil: no output directory
	events chan data.Event

	// mu orders sends on events with its closing: several goroutines send
	// (the event forwarder, the downloads) and one closes, so a late
	// download's news can never send on a closed channel.
	mu     sync.Mutex
	closed bool
}

// newQueueAdapter forwards q's events; outDir ("": none) is where the
// files of the jobs queued in the dashboard go.
func newQueueAdapter(ctx context.Context, q *queue.Queue, store budget.Store, mon *monitorAdapter, outDir string) *queueAdapter {
	a := &queueAdapter{ctx: ctx, q: q, store: store, mon: mon, events: make(chan data.Event, 1024)}
	if outDir != "" {
		a.out = newDashOut(ctx, outDir, q, func(e data.Event) bool { return a.emit(ctx, e) })
	}
	src, unsub := q.Subscribe(4096)
	go func() {
		defer a.close()
		defer unsub()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-src:
				if !ok {
					return
				}
				if a.out != nil {
					a.out.event(e)
				}
				if !a.emit(ctx, a.convertEvent(e)) {
					return
				}
			}
		}
	}()
	return a
}

// emit hands e to the dashboard; false when ctx ended or the stream is
// closed (the event is not needed then: the program is exiting).
func (a *queueAdapter) emit(ctx context.Context, e data.Event) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	select {
	case a.events <- e:
		return true
	case <-ctx.Done():
		return false
	}
}

// close ends the event stream once; later emits are dropped.
func (a *queueAdapter) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.closed {
		a.closed = true
		close(a.events)
	}
}

func (a *queueAdapter) convertEvent(e queue.Event) data.Event {
	out := data.Event{At: e.Job.Updated}
	switch e.Type {
	case queue.EventPaused:
		st := a.State()
		st.Paused, st.Reason = true, "paused: "+e.Reason
		out.State = &st
		out.Note = "queue paused: " + e.Reason
	case queue.EventResumed:
		st := a.State()
		st.Paused, st.Reason = false, ""
		out.State = &st
		out.Note = "queue resumed"
	default:
		j := convertJob(e.Job)
		if e.Type == queue.EventWait && e.Wait.Text != "" {
			j.Wait = e.Wait.Text
			if !e.Job.Updated.IsZero() {
				j.WaitUntil = e.Job.Updated.Add(e.Wait.For)
			}
		}
		out.Job = &j
		if e.Type == queue.EventProblem && e.Job.Problem != nil {
			out.Note = fmt.Sprintf("job %s: %d %s %s", queue.ShortKey(e.Job.Key), e.Job.Problem.Status, e.Job.Problem.Code, e.Job.Problem.Title)
		}
	}
	return out
}

// convertJob turns a queue job, with what tracking learned of it on the
// server, into the dashboard's plain value.
func convertJob(j queue.Job) data.Job {
	out := data.Job{
		Key: j.Key, ID: j.JobID, Input: j.Input, Model: j.Model, State: data.State(j.State), Attempts: j.Attempts,
		Wait: j.Wait, Enqueued: j.Enqueued, Updated: j.Updated, Credits: j.Credits,
	}
	if j.State.Final() && j.ServerStatus != "" {
		out.Credits = j.Charged // what the server states (0 once refunded)
	}
	for _, o := range j.Outputs {
		out.Outputs = append(out.Outputs, data.Output{ContentType: o.ContentType, Bytes: o.SizeBytes})
	}
	if j.Line > 0 {
		out.Batch = fmt.Sprintf("line %d", j.Line)
	}
	if p := j.Problem; p != nil {
		fields := make([]problem.FieldError, len(p.Fields))
		for i, f := range p.Fields {
			fields[i] = problem.FieldError{Pointer: f.Pointer, Detail: f.Detail}
		}
		out.Problem = &problem.Problem{Status: p.Status, Code: p.Code, Title: p.Title, Detail: p.Detail, Fields: fields}
	}
	// what abtop will do, in words, from the state the queue recorded
	switch {
	case j.State == queue.StateFailed && j.ServerStatus == apiclient.StatusFailed:
		out.Next = "no automatic retry: it failed on the server after it was created; add it again to rerun it"
	case j.State == queue.StateFailed:
		out.Next = "no automatic retry: fix the cause, then r retries failed jobs"
	case j.State.Unfinished() && j.Problem != nil:
		out.Next = "retry with the same Idempotency-Key when the wait ends"
	}
	return out
}

func (a *queueAdapter) Events() <-chan data.Event { return a.events }

// Jobs is the whole list (the dashboard's start and its periodic resync,
// since the queue drops events for a subscriber that falls behind); the
// downloads catch up from it too.
func (a *queueAdapter) Jobs() []data.Job {
	list := a.q.List()
	if a.out != nil {
		a.out.reconcile(list)
	}
	out := make([]data.Job, len(list))
	for i, j := range list {
		out[i] = convertJob(j)
	}
	return out
}

func (a *queueAdapter) State() data.QueueState {
	st := data.QueueState{}
	if r := a.q.Paused(); r != "" {
		st.Paused, st.Reason = true, "paused: "+r
	}
	if bs, err := a.store.Snapshot(context.Background()); err == nil {
		st.Concurrency = bs.ConcurrencyLimit
		st.Running = len(bs.Slots)
	}
	return st
}

func (a *queueAdapter) Enqueue(ctx context.Context, s data.Spec) error {
	cost := 0.0
	if ms, err := a.mon.Models(ctx); err == nil {
		for _, m := range ms {
			if m.ID == s.Model {
				cost = m.Credits
			}
		}
	}
	added, err := a.q.Enqueue(queue.NewJob{Model: s.Model, Input: s.Input, Credits: cost})
	if err == nil && a.out != nil {
		a.downloads(a.out.typed(added))
	}
	return err
}

// downloads says in the request log why files will not be downloaded
// (the output directory cannot be made); the jobs run regardless.
func (a *queueAdapter) downloads(err error) {
	if err != nil {
		a.emit(a.ctx, data.Event{Note: "downloads: " + err.Error()})
		return
	}
	a.out.reconcile(a.q.List()) // what ended before it was registered
}

// LoadFile validates the whole file against /v1/models (the same parser
// as abtop submit) and queues all of it or nothing.
func (a *queueAdapter) LoadFile(ctx context.Context, path string) (int, error) {
	parsed, _, err := a.readJobFile(ctx, path)
	if err != nil {
		return 0, err
	}
	added, err := a.q.Enqueue(session.Jobs(parsed)...)
	if err == nil && a.out != nil {
		a.downloads(a.out.loaded(path, added))
	}
	return len(added), err
}

// readJobFile parses and validates a whole file: a *tui.FileError lists
// its bad lines.
func (a *queueAdapter) readJobFile(ctx context.Context, path string) ([]jobfile.Job, []apiclient.Model, error) {
	path, err := expandHome(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, nil, fmt.Errorf("%s is a directory, not a JSON Lines file", path)
	}
	models, err := a.mon.Models(ctx)
	if err != nil {
		return nil, nil, err
	}
	parsed, probs, err := jobfile.Parse(f, models)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(probs) > 0 {
		fe := &tui.FileError{Path: path}
		for _, p := range probs {
			fe.Lines = append(fe.Lines, data.LineError{Line: p.Line, Msg: p.Msg})
		}
		return nil, nil, fe
	}
	if len(parsed) == 0 {
		return nil, nil, fmt.Errorf("%s has no jobs", path)
	}
	return parsed, models, nil
}

func (a *queueAdapter) Pause(ctx context.Context) error  { a.q.Pause("by you"); return nil }
func (a *queueAdapter) Resume(ctx context.Context) error { a.q.Resume(); return nil }
func (a *queueAdapter) Cancel(ctx context.Context, key string) error {
	return a.q.Cancel(ctx, key)
}
func (a *queueAdapter) RetryFailed(ctx context.Context) (int, error) { return a.q.RetryFailed() }

// expandHome resolves a leading "~/" the way a shell would: the path is
// typed into the dashboard's prompt, where no shell expands it.
func expandHome(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("%s: cannot expand ~: %w", path, err)
	}
	return filepath.Join(home, path[1:]), nil
}

// Rerun runs a job the server ran and failed again, as a new job with a
// new key (the dashboard's r on its row).
func (a *queueAdapter) Rerun(_ context.Context, key string) error {
	_, err := a.q.Rerun(key)
	return err
}
