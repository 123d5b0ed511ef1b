package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/tui/data"
)

// fakeMonitor answers polls from a fixed balance and counts calls.
type fakeMonitor struct {
	mu     sync.Mutex
	polls  int
	models []apiclient.Model
	err    error
	block  chan struct{} // when set, Poll waits on it
}

func (f *fakeMonitor) Poll(ctx context.Context) (PollResult, error) {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.polls++
	if f.err != nil {
		return PollResult{Requests: 1}, f.err
	}
	return PollResult{Balance: &apiclient.Balance{Credits: 1204.5, Plan: "team"}, Requests: 1}, nil
}

func (f *fakeMonitor) Models(ctx context.Context) ([]apiclient.Model, error) {
	return f.models, nil
}

func (f *fakeMonitor) Polls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.polls
}

// fakeQueue records calls; events are fed by the test.
type fakeQueue struct {
	mu       sync.Mutex
	events   chan data.Event
	jobs     []data.Job
	state    data.QueueState
	calls    []string
	cancelEr error
	loadErr  error
}

func newFakeQueue(jobs []data.Job) *fakeQueue {
	return &fakeQueue{events: make(chan data.Event, 64), jobs: jobs, state: data.QueueState{Concurrency: 10}}
}

func (q *fakeQueue) rec(s string) {
	q.mu.Lock()
	q.calls = append(q.calls, s)
	q.mu.Unlock()
}

func (q *fakeQueue) Calls() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.calls...)
}

func (q *fakeQueue) Events() <-chan data.Event { return q.events }
func (q *fakeQueue) Jobs() []data.Job          { return q.jobs }
func (q *fakeQueue) State() data.QueueState    { return q.state }
func (q *fakeQueue) Enqueue(ctx context.Context, s data.Spec) error {
	q.rec("enqueue " + s.Model + " " + string(s.Input))
	return nil
}
func (q *fakeQueue) LoadFile(ctx context.Context, path string) (int, error) {
	q.rec("load " + path)
	if q.loadErr != nil {
		return 0, q.loadErr
	}
	return 50, nil
}
func (q *fakeQueue) Pause(ctx context.Context) error  { q.rec("pause"); return nil }
func (q *fakeQueue) Resume(ctx context.Context) error { q.rec("resume"); return nil }
func (q *fakeQueue) Cancel(ctx context.Context, key string) error {
	q.rec("cancel " + key)
	return q.cancelEr
}
func (q *fakeQueue) RetryFailed(ctx context.Context) (int, error) { q.rec("retry"); return 1, nil }

func i64(v int64) *int64                 { return &v }
func dur(d time.Duration) *time.Duration { return &d }
func f64(v float64) *float64             { return &v }

// t0 is the scenario's fixed "now": Tuesday 24 Nov 2026, 15:42:00 UTC.
var t0 = time.Date(2026, 11, 24, 15, 42, 0, 0, time.UTC)

// snap builds a seed-000-style snapshot: 60 req/min, Team quota, credits.
func snap(at time.Time, remaining, quota int64, credits float64) usage.Snapshot {
	reset := time.Duration(60-at.Second()) * time.Second
	return usage.Snapshot{
		Received: at, ServerDate: at,
		Limits: []usage.Limit{{Unit: usage.UnitRequests, Limit: i64(60), Remaining: i64(remaining),
			ResetAfter: dur(reset), Window: dur(time.Minute), Source: "x-ratelimit"}},
		Binding: 0,
		Quota: &usage.Quota{Limit: i64(25000), Remaining: i64(quota),
			ResetAfter: dur(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Sub(at))},
		Credits: f64(credits),
	}
}

// scenarioObservations is ten minutes of traffic ending at t0: a batch
// spending quota and credits, one 429 at 15:36:40 and a two-minute gap
// with no data at all (15:38–15:40).
func scenarioObservations() []apiclient.Observation {
	var obs []apiclient.Observation
	quota := int64(9900)
	credits := 1300.0
	for s := 600; s >= 0; s -= 5 {
		at := t0.Add(-time.Duration(s) * time.Second)
		if s <= 240 && s > 120 {
			continue // gap
		}
		rem := int64(60 - (600-s)%60/2)
		if s == 0 {
			rem = 41
		}
		quota--
		credits -= 0.8
		o := apiclient.Observation{Method: "POST", Path: "/v1/jobs", Status: 201, Snapshot: snap(at, rem, quota, credits), Latency: 84 * time.Millisecond, Write: true}
		if s == 320 {
			o.Status = 429
			o.Snapshot.Limits[0].Remaining = i64(0)
			o.Snapshot.RetryAfter = dur(12 * time.Second)
			o.Err = &apiclient.Error{Method: "POST", Path: "/v1/jobs", Status: 429, Code: problem.CodeRateLimitExceeded, Title: "Too Many Requests", Wait: 12 * time.Second}
		}
		obs = append(obs, o)
	}
	return obs
}

func scenarioJobs(n int) []data.Job {
	models := []string{"flux-schnell", "kling-2.6", "veo-3.1", "flux-dev"}
	jobs := make([]data.Job, 0, n)
	for i := range n {
		j := data.Job{
			Key:      fmt.Sprintf("k-%05d-5b1e2c", i),
			Model:    models[i%len(models)],
			Attempts: 1,
			Enqueued: t0.Add(-time.Duration(n-i) * time.Second),
			Updated:  t0.Add(-14 * time.Second),
			Batch:    "prompts.jsonl",
		}
		switch i % 7 {
		case 0, 1, 2:
			j.State, j.ID, j.Credits = data.StateSucceeded, fmt.Sprintf("job_8f2a%04d", i), 1
			j.Output = json.RawMessage(`{"url":"https://cdn.example/8f2a.png","seed":7}`)
		case 3:
			j.State, j.Attempts, j.Wait = data.StatePending, 2, "Retry-After 12s (429 at 15:41:07)"
			j.WaitUntil = t0.Add(12 * time.Second)
		case 4:
			j.State, j.ID = data.StateRunning, fmt.Sprintf("job_91c0%04d", i)
		case 5:
			j.State = data.StateFailed
			j.Problem = &problem.Problem{Status: 422, Code: problem.CodeValidationFailed, Title: "Validation failed",
				Detail: "The request body has 1 invalid field.",
				Fields: []problem.FieldError{{Pointer: "/input/duration", Detail: "must be between 1 and 10"}}}
			j.Next = "no retry: fix the input and add the job again"
		case 6:
			j.State, j.Attempts, j.Wait = data.StatePending, 0, "rate window: next slot in 1.2s"
		}
		jobs = append(jobs, j)
	}
	return jobs
}

// scenario builds the dashboard in the fixed state the golden files show.
func scenario(w, h int, noColor bool, njobs int) (*Model, *fakeQueue) {
	q := newFakeQueue(nil)
	m := New(Options{
		Profile: "default", MaskedToken: "ab_…7Qx2", TokenSource: "env",
		NoColor: noColor, PollInterval: 5 * time.Second,
		Monitor: &fakeMonitor{}, Queue: q,
		Observations: make(chan apiclient.Observation),
		Now:          func() time.Time { return t0 },
	})
	m.Update(windowSizeMsg(w, h))
	m.Update(obsMsg(scenarioObservations()))
	m.Update(pollDoneMsg{gen: 0, res: PollResult{Balance: &apiclient.Balance{Credits: 1204.5, Plan: "team"}, Requests: 1}})
	m.Update(queueInitMsg{jobs: scenarioJobs(njobs), state: data.QueueState{Concurrency: 10}})
	return m, q
}
