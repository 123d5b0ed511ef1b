package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/sandbox"
)

func sandboxEnv(t *testing.T, credits float64) *env {
	return newEnv(t, envOpts{
		sandbox: sandbox.Options{Window: 2 * time.Second, Seed: 3, StartDelay: time.Second},
		org:     sandbox.OrgOptions{Plan: "enterprise", Credits: credits, Limits: &sandbox.Limits{Requests: 20, Points: 60, Concurrency: 1000}},
	})
}

// Cancel (API.md: POST /v1/jobs/{id}/cancel): a pending job is canceled
// locally, a job queued on the server through /cancel, and a running one
// surfaces the server's 409 conflict.
func TestCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := sandboxEnv(t, 1000)
		defer e.close()
		added, err := e.q.Enqueue(jobs(3)...)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.q.Cancel(bg, added[2].Key); err != nil {
			t.Fatalf("cancel pending: %v", err)
		}
		if err := e.q.Run(bg, true); err != nil {
			t.Fatal(err)
		}
		if err := e.q.Cancel(bg, added[0].Key); err != nil {
			t.Fatalf("cancel a job queued on the server: %v", err)
		}
		time.Sleep(3 * time.Second) // the sandbox starts the other one
		err = e.q.Cancel(bg, added[1].Key)
		var ae *apiclient.Error
		if !errors.As(err, &ae) || ae.Status != 409 {
			t.Fatalf("cancel a running job: %v, want the 409", err)
		}
		got := map[string]queue.Job{}
		for _, j := range e.q.List() {
			got[j.Key] = j
		}
		if got[added[0].Key].State != queue.StateCanceled || got[added[2].Key].State != queue.StateCanceled {
			t.Errorf("states %s, %s; want canceled", got[added[0].Key].State, got[added[2].Key].State)
		}
		if p := got[added[1].Key].Problem; p == nil || p.Code != "conflict" {
			t.Errorf("running job's problem %+v, want conflict", p)
		}
		if n := e.sb.Stats().JobsCreated; n != 2 {
			t.Errorf("sandbox created %d jobs, want 2 (the third was canceled before sending)", n)
		}
	})
}

// RetryFailed: a job the server refused (4xx) did nothing on the server
// (only successes are remembered under a key, API.md "Idempotency"), so it
// is resent with its original key, and its attempts keep counting: the
// key changes only for a deliberate new operation (a new job).
func TestRetryFailedKeepsKeyOfRefusals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := sandboxEnv(t, 1000)
		defer e.close()
		bad := queue.NewJob{Model: "flux-schnell", Input: json.RawMessage(`{"prompt":""}`), Credits: 1, Line: 1}
		added, err := e.q.Enqueue(bad)
		if err != nil {
			t.Fatal(err)
		}
		_ = e.q.Run(bg, true)
		j := e.q.List()[0]
		if j.State != queue.StateFailed || j.Problem == nil || j.Problem.Status/100 != 4 {
			t.Fatalf("bad job: %+v, want failed with a 4xx problem", j)
		}
		n, err := e.q.RetryFailed()
		if err != nil || n != 1 {
			t.Fatalf("RetryFailed = %d, %v", n, err)
		}
		j = e.q.List()[0]
		if j.Key != added[0].Key || j.State != queue.StatePending || j.Line != 1 {
			t.Fatalf("after retry: key %s state %s, want pending with the original key %s", j.Key, j.State, added[0].Key)
		}
		_ = e.q.Run(bg, true)
		if j = e.q.List()[0]; j.Attempts != 2 || j.Key != added[0].Key {
			t.Fatalf("after the second run: attempt %d key %s, want attempt 2 under the original key", j.Attempts, j.Key)
		}
	})
}

// Reorder moves a pending job; the order survives reopening the journal.
func TestReorderPersists(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "q.db")
		e := newEnv(t, envOpts{sandbox: sandbox.Options{Window: 2 * time.Second}, org: sandbox.OrgOptions{Credits: 10}, journal: path})
		defer func() { e.close() }()
		added, err := e.q.Enqueue(jobs(5)...)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.q.Reorder(added[4].Key, -3); err != nil {
			t.Fatal(err)
		}
		if err := e.q.Reorder(added[0].Key, +10); err != nil {
			t.Fatal(err)
		}
		want := []string{added[4].Key, added[1].Key, added[2].Key, added[3].Key, added[0].Key}
		check := func(when string, got []queue.Job) {
			for i, j := range got {
				if j.Key != want[i] {
					t.Fatalf("%s: position %d is line %d, want the order 5,2,3,4,1", when, i, j.Line)
				}
			}
		}
		check("in memory", e.q.List())
		e.j.Close()
		e.open(t, path, 1)
		check("after reopening", e.q.List())
	})
}

// 10,000 jobs: enqueued in one transaction, loaded back in order.
func TestTenThousandJobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	j, err := queue.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("pro"))}), API: nopAPI{}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := q.Enqueue(jobs(10000)...); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j, err = queue.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	got, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10000 {
		t.Fatalf("loaded %d jobs", len(got))
	}
	for i, job := range got {
		if job.Line != i+1 {
			t.Fatalf("position %d holds line %d", i, job.Line)
		}
	}
	t.Logf("10,000 jobs enqueued and reloaded in %v", time.Since(start))
}

// offlineQueue is a queue over a fresh journal that never sends: for
// tests of what it keeps and how it reads.
func offlineQueue(tb testing.TB) (*queue.Queue, *queue.Journal) {
	tb.Helper()
	j, err := queue.OpenJournal(filepath.Join(tb.TempDir(), "q.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { j.Close() })
	q, err := queue.Open(queue.QueueOptions{Journal: j, API: nopAPI{}, Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("pro"))})})
	if err != nil {
		tb.Fatal(err)
	}
	return q, j
}

type nopAPI struct{}

func (nopAPI) CreateJob(context.Context, apiclient.JobRequest, string) (apiclient.Job, apiclient.Meta, error) {
	return apiclient.Job{}, apiclient.Meta{}, fmt.Errorf("not used")
}
func (nopAPI) CancelJob(context.Context, string, string) (apiclient.Job, apiclient.Meta, error) {
	return apiclient.Job{}, apiclient.Meta{}, fmt.Errorf("not used")
}
func (nopAPI) GetJob(context.Context, string) (apiclient.Job, apiclient.Meta, error) {
	return apiclient.Job{}, apiclient.Meta{}, fmt.Errorf("not used")
}
func (nopAPI) Balance(context.Context) (apiclient.Balance, apiclient.Meta, error) {
	return apiclient.Balance{}, apiclient.Meta{}, fmt.Errorf("not used")
}

// Credits run out mid-batch: the queue pauses with the reason, sends
// nothing more, and Run returns the BlockedError (submit exits 1).
func TestCreditsPauseTheQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := sandboxEnv(t, 5) // five flux-schnell jobs' worth
		defer e.close()
		if _, err := e.q.Enqueue(jobs(8)...); err != nil {
			t.Fatal(err)
		}
		err := e.q.Run(bg, true)
		var be *queue.BlockedError
		if !errors.As(err, &be) || be.Reason != budget.ReasonCredits {
			t.Fatalf("Run: %v, want a credits pause", err)
		}
		c := e.q.Counts()
		if c[queue.StateCreated]+c[queue.StateRunning] != 5 || e.q.Paused() == "" {
			t.Errorf("counts %v, paused %q; want 5 created and a reason", c, e.q.Paused())
		}
		st := e.sb.Stats()
		if st.RequestsByStatus["402"] > 1 {
			t.Errorf("%d 402s: the queue looped on insufficient credits", st.RequestsByStatus["402"])
		}
	})
}
