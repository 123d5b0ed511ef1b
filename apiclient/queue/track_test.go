package queue_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/sandbox"
)

// trackEnv is env with tracking options and a recorder of every create on
// the wire (Idempotency-Key → job ids the sandbox answered).
type trackEnv struct {
	*env
	wire *wireLog
	path string
}

type trackOpts struct {
	sandbox sandbox.Options
	org     sandbox.OrgOptions
	track   queue.TrackOptions
	path    string
}

func newTrackEnv(t *testing.T, o trackOpts) *trackEnv {
	t.Helper()
	o.sandbox.Now = now
	sb, err := sandbox.New(o.sandbox)
	if err != nil {
		t.Fatal(err)
	}
	org, tok, err := sb.Bootstrap(o.org)
	if err != nil {
		t.Fatal(err)
	}
	hc, base, stop := sb.ServeInMemory()
	wire := &wireLog{next: hc.Transport, ids: map[string]map[string]bool{}}
	hc = &http.Client{Transport: wire, Timeout: hc.Timeout}
	c, err := apiclient.New(apiclient.Options{BaseURL: base, Token: tok, HTTPClient: hc, AllowInsecureHTTP: true, Now: now, Timeout: 5 * time.Second})
	if err != nil {
		stop()
		t.Fatal(err)
	}
	if o.path == "" {
		o.path = filepath.Join(t.TempDir(), "queue.db")
	}
	te := &trackEnv{env: &env{sb: sb, org: org, client: c, stop: stop, window: o.sandbox.Window}, wire: wire, path: o.path}
	te.reopen(t, o.track)
	return te
}

// reopen opens the journal and a queue over it, as a new process would.
func (te *trackEnv) reopen(t *testing.T, o queue.TrackOptions) {
	t.Helper()
	j, err := queue.OpenJournal(te.path)
	if err != nil {
		t.Fatal(err)
	}
	te.j = j
	te.sched = queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("team")), Now: now})
	q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: te.sched, API: te.client, Now: now, Track: o})
	if err != nil {
		t.Fatal(err)
	}
	te.q = q
}

// wireLog records, for each POST /v1/jobs, its Idempotency-Key and the id
// of the job the server answered with.
type wireLog struct {
	next http.RoundTripper
	mu   sync.Mutex
	ids  map[string]map[string]bool
}

func (w *wireLog) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || r.URL.Path != "/v1/jobs" {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, err
	}
	var j struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &j)
	key := r.Header.Get("Idempotency-Key")
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ids[key] == nil {
		w.ids[key] = map[string]bool{}
	}
	if j.ID != "" {
		w.ids[key][j.ID] = true
	}
	return resp, err
}

func (w *wireLog) keys() map[string]map[string]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]map[string]bool{}
	for k, v := range w.ids {
		out[k] = map[string]bool{}
		for id := range v {
			out[k][id] = true
		}
	}
	return out
}

func roomyOrg() sandbox.OrgOptions {
	return sandbox.OrgOptions{Plan: "enterprise", Credits: 1e6, Limits: &sandbox.Limits{Requests: 20, Points: 60, Concurrency: 1000}}
}

// A batch is followed to its end: every job succeeded with its outputs'
// metadata journaled and its links in an event, for at most 0.25 reads per
// job, and no job created twice.
func TestTrackFollowsBatchToTheEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newTrackEnv(t, trackOpts{sandbox: sandbox.Options{Window: 2 * time.Second, Seed: 5, JobTimeScale: 0.5}, org: roomyOrg()})
		defer e.close()
		events, stop := e.q.Subscribe(100000)
		const n = 200
		if _, err := e.q.Enqueue(jobs(n)...); err != nil {
			t.Fatal(err)
		}
		if err := e.q.Finish(bg); err != nil {
			t.Fatal(err)
		}
		stop()
		withLinks := map[string]bool{}
		ended := map[string]int{}
		created := 0
		endedWhileCreating := false // tracking kept its share while creates filled the window
		for ev := range events {
			if ev.Type == queue.EventJob && ev.Job.State == queue.StateCreated {
				created++
			}
			if ev.Type == queue.EventJob && ev.Job.State == queue.StateSucceeded {
				endedWhileCreating = endedWhileCreating || created < n/2
				ended[ev.Job.Key]++
				if len(ev.Files) > 0 && ev.Files[0].URL != "" {
					withLinks[ev.Job.Key] = true
				}
			}
		}
		if !endedWhileCreating {
			t.Error("no job was seen to end before half the batch was created: tracking starved behind the creates")
		}
		for k, c := range ended {
			if c != 1 {
				t.Fatalf("job %s ended %d times: a list entry seen again was taken for news", k, c)
			}
		}
		for _, j := range e.q.List() {
			if j.State != queue.StateSucceeded || j.Finished.IsZero() || len(j.Outputs) == 0 || len(j.Outputs[0].SHA256) != 64 || j.Outputs[0].SizeBytes <= 0 {
				t.Fatalf("line %d: %+v, want succeeded with finished time and outputs metadata", j.Line, j)
			}
			if !withLinks[j.Key] {
				t.Errorf("line %d: no event carried its output links", j.Line)
			}
		}
		st, ts := e.sb.Stats(), e.q.TrackStats()
		reads := st.ListReads + st.GetReads
		t.Logf("%d jobs: sandbox list reads %d, get reads %d (queue counted %+v); 429s %d", n, st.ListReads, st.GetReads, ts, st.TooManyRequests)
		if float64(reads) > 0.25*n {
			t.Errorf("%d tracking reads for %d jobs, want ≤ %.0f", reads, n, 0.25*n)
		}
		if int64(ts.ListReads) != st.ListReads || int64(ts.GetReads) != st.GetReads {
			t.Errorf("queue counted %d list / %d get reads, sandbox saw %d / %d", ts.ListReads, ts.GetReads, st.ListReads, st.GetReads)
		}
		if st.JobsCreated != n || st.DuplicateJobs != 0 || st.TooManyRequests != 0 {
			t.Errorf("created %d, duplicates %d, 429s %d; want %d, 0, 0", st.JobsCreated, st.DuplicateJobs, st.TooManyRequests, n)
		}
	})
}

// A queue stopped mid-tracking and reopened over the same journal goes on
// following the jobs it had created (none created again) to their end.
func TestTrackResumesAfterReopening(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newTrackEnv(t, trackOpts{sandbox: sandbox.Options{Window: 2 * time.Second, Seed: 6, JobTimeScale: 2}, org: roomyOrg()})
		defer func() { e.close() }()
		events, stop := e.q.Subscribe(100000)
		const n = 60
		if _, err := e.q.Enqueue(jobs(n)...); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(bg)
		go func() {
			done := 0
			for ev := range events {
				if ev.Type == queue.EventJob && ev.Job.State == queue.StateSucceeded {
					if done++; done == 10 {
						cancel()
					}
				}
			}
		}()
		err := e.q.Finish(ctx)
		stop()
		if err == nil {
			t.Fatalf("Finish returned nil after its context was canceled: %v %+v", e.q.Counts(), e.q.TrackStats())
		}
		c := e.q.Counts()
		if c[queue.StateSucceeded] >= n || c[queue.StateCreated]+c[queue.StateRunning] == 0 {
			t.Fatalf("stopped with %v: want some jobs still being tracked", c)
		}
		e.j.Close()
		time.Sleep(20 * time.Second) // down for a while: jobs end meanwhile
		e.reopen(t, queue.TrackOptions{})
		if got := e.q.Counts(); got[queue.StateSucceeded] != c[queue.StateSucceeded] {
			t.Fatalf("reopened with %v, want the journal's %v", got, c)
		}
		if err := e.q.Finish(bg); err != nil {
			t.Fatal(err)
		}
		if c := e.q.Counts(); c[queue.StateSucceeded] != n {
			t.Fatalf("after resuming: %v, want %d succeeded", c, n)
		}
		if st := e.sb.Stats(); st.JobsCreated != n || st.DuplicateJobs != 0 || st.GetReads != 0 {
			t.Errorf("created %d, duplicates %d, get reads %d; want %d, 0 and 0 (the resumed list read finds every change)", st.JobsCreated, st.DuplicateJobs, st.GetReads, n)
		}
	})
}

// A job the server ran and failed with internal_error is rerun under a new
// key, recorded as a new operation linked to the old one; the sandbox sees
// each key create exactly one job. A refusal at creation (validation) is
// never rerun.
func TestRerunInternalErrorWithANewKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newTrackEnv(t, trackOpts{
			sandbox: sandbox.Options{Window: 2 * time.Second, Seed: 7, JobTimeScale: 0.5, FailureRate: 0.4},
			org:     roomyOrg(),
			track:   queue.TrackOptions{MaxRetryFailed: 6},
		})
		defer e.close()
		const n = 30
		bad := queue.NewJob{Model: "flux-schnell", Input: json.RawMessage(`{"prompt":""}`), Credits: 1, Line: n + 1}
		if _, err := e.q.Enqueue(append(jobs(n), bad)...); err != nil {
			t.Fatal(err)
		}
		if err := e.q.Finish(bg); err != nil {
			t.Fatal(err)
		}
		byKey := map[string]queue.Job{}
		lines := map[int][]queue.Job{}
		for _, j := range e.q.List() {
			byKey[j.Key] = j
			lines[j.Line] = append(lines[j.Line], j)
		}
		reruns := 0
		for line := 1; line <= n; line++ {
			gens := lines[line]
			last := gens[len(gens)-1]
			if last.State != queue.StateSucceeded || last.RetriedAs != "" || last.Rerun != len(gens)-1 {
				t.Errorf("line %d ends %s (rerun %d of %d records), want succeeded", line, last.State, last.Rerun, len(gens))
			}
			for i, g := range gens[:len(gens)-1] {
				next := byKey[g.RetriedAs]
				if g.State != queue.StateFailed || g.Problem == nil || g.Problem.Code != "internal_error" || next.RetryOf != g.Key || next.Rerun != i+1 || next.Key == g.Key {
					t.Errorf("line %d generation %d: %+v → %+v, want a failed internal_error linked to its rerun under a new key", line, i, g, next)
				}
				reruns++
			}
		}
		if reruns == 0 {
			t.Fatal("no job failed: the test proves nothing (raise FailureRate or change the seed)")
		}
		if refused := lines[n+1]; len(refused) != 1 || refused[0].State != queue.StateFailed || refused[0].JobID != "" {
			t.Errorf("the invalid job: %+v, want one failed record, never created, never rerun", refused)
		} else if _, err := e.q.Rerun(refused[0].Key); err == nil {
			t.Error("Rerun of a validation failure succeeded, want refused")
		}
		wire := e.wire.keys()
		created := 0
		for key, ids := range wire {
			if len(ids) > 1 {
				t.Errorf("key %s created %d jobs on the server, want 1", key, len(ids))
			}
			if _, ok := byKey[key]; !ok {
				t.Errorf("key %s on the wire is not in the journal", key)
			}
			created += len(ids)
		}
		if created != n+reruns || len(wire) != n+reruns+1 {
			t.Errorf("%d keys on the wire creating %d jobs, want %d keys (one refused) and %d jobs", len(wire), created, n+reruns+1, n+reruns)
		}
		if st := e.sb.Stats(); st.JobsCreated != int64(n+reruns) {
			t.Errorf("sandbox created %d jobs, want %d", st.JobsCreated, n+reruns)
		}
		t.Logf("%d lines, %d reruns", n, reruns)
	})
}

// Rerunnable: only a server fault on a job the server ran.
func TestRerunnable(t *testing.T) {
	ran := func(code string) queue.Job {
		return queue.Job{Key: "k", JobID: "job_1", State: queue.StateFailed, Problem: &queue.Problem{Code: code}}
	}
	for _, c := range []struct {
		name string
		job  queue.Job
		want bool
	}{
		{"internal_error", ran("internal_error"), true},
		{"validation_failed", ran("validation_failed"), false},
		{"plan_required", ran("plan_required"), false},
		{"insufficient_credits", ran("insufficient_credits"), false},
		{"never created", queue.Job{Key: "k", State: queue.StateFailed, Problem: &queue.Problem{Code: "internal_error"}}, false},
		{"rerun already", func() queue.Job { j := ran("internal_error"); j.RetriedAs = "k2"; return j }(), false},
		{"succeeded", queue.Job{Key: "k", JobID: "job_1", State: queue.StateSucceeded}, false},
		{"no reason", queue.Job{Key: "k", JobID: "job_1", State: queue.StateFailed}, false},
	} {
		if got := queue.Rerunnable(c.job); got != c.want {
			t.Errorf("%s: Rerunnable = %v, want %v", c.name, got, c.want)
		}
	}
}

// The dashboard's r on a failed job: Rerun makes one new operation.
func TestRerunOneJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newTrackEnv(t, trackOpts{sandbox: sandbox.Options{Window: 2 * time.Second, Seed: 8, JobTimeScale: 0.5, FailureRate: 1}, org: roomyOrg()})
		defer e.close()
		if _, err := e.q.Enqueue(jobs(1)...); err != nil {
			t.Fatal(err)
		}
		if err := e.q.Finish(bg); err != nil {
			t.Fatal(err)
		}
		old := e.q.List()[0]
		if old.State != queue.StateFailed || len(e.q.List()) != 1 {
			t.Fatalf("%+v: want one failed job and no automatic rerun (MaxRetryFailed 0)", old)
		}
		nj, err := e.q.Rerun(old.Key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.q.Rerun(old.Key); err == nil {
			t.Error("a second Rerun of the same job succeeded, want refused")
		}
		if err := e.q.Finish(bg); err != nil {
			t.Fatal(err)
		}
		if l := e.q.List(); len(l) != 2 || l[0].RetriedAs != nj.Key || l[1].RetryOf != old.Key || l[1].JobID == "" || l[1].JobID == old.JobID {
			t.Fatalf("records %+v, want the old one linked to a new created job", l)
		}
	})
}
