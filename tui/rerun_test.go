package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/tui/data"
)

// rerunQueue is a fakeQueue that can rerun a failed job (queue.Rerun).
type rerunQueue struct {
	*fakeQueue
	err error
}

func (q *rerunQueue) Rerun(_ context.Context, key string) error {
	q.rec("rerun " + key)
	return q.err
}

// TestROnAServerFailedRowRerunsThatJob: r on a job the server ran and
// failed reruns that one job (a new job under a new key, through the
// queue's Rerun, in a command); on a job whose creation failed it puts
// back the failed creations under their keys, as before; a refusal is
// shown with its reason.
func TestROnAServerFailedRowRerunsThatJob(t *testing.T) {
	q := &rerunQueue{fakeQueue: newFakeQueue(nil)}
	m := New(Options{Profile: "default", NoColor: true, Monitor: &fakeMonitor{}, Queue: q,
		Observations: make(chan apiclient.Observation), Now: func() time.Time { return t0 }})
	m.Update(windowSizeMsg(120, 36))
	jobs := []data.Job{
		{Key: "k-server", ID: "job_ran_and_failed", Model: "flux-dev", State: data.StateFailed, Enqueued: t0.Add(-2 * time.Second),
			Problem: &problem.Problem{Status: 500, Code: problem.CodeInternalError, Title: "Internal error"}},
		{Key: "k-create", Model: "flux-dev", State: data.StateFailed, Enqueued: t0.Add(-time.Second), Err: "connection refused"},
		{Key: "k-invalid", ID: "job_refused_input", Model: "flux-dev", State: data.StateFailed, Enqueued: t0,
			Problem: &problem.Problem{Status: 422, Code: problem.CodeValidationFailed, Title: "Validation failed"}},
	}
	m.Update(queueInitMsg{jobs: jobs, state: data.QueueState{Concurrency: 10}})

	press := func(k string) {
		t.Helper()
		_, cmd := m.Update(keyMsg(k))
		for _, msg := range run(cmd) {
			m.Update(msg)
		}
	}
	selectKey := func(key string) {
		t.Helper()
		for range len(jobs) {
			if j, ok := m.jobs.Selected(); ok && j.Key == key {
				return
			}
			press("down")
		}
		for range len(jobs) {
			if j, ok := m.jobs.Selected(); ok && j.Key == key {
				return
			}
			press("up")
		}
		t.Fatalf("could not select %s", key)
	}

	selectKey("k-server")
	press("r")
	if got := q.Calls(); len(got) != 1 || got[0] != "rerun k-server" {
		t.Fatalf("r on a job the server failed: calls %v, want one rerun of it", got)
	}
	if v := plain(m); !strings.Contains(v, "rerunning job_ran_and_failed as a new job") {
		t.Fatalf("no word of the rerun:\n%s", v)
	}

	q.err = errors.New("queue: job k-server is not rerunnable: it was rerun already as k-new")
	press("r")
	if v := plain(m); !strings.Contains(v, "rerun already") {
		t.Fatalf("a refused rerun does not say why:\n%s", v)
	}

	for _, k := range []string{"k-create", "k-invalid"} {
		selectKey(k)
		n := len(q.Calls())
		press("r")
		if got := q.Calls(); len(got) != n+1 || got[n] != "retry" {
			t.Fatalf("r on %s: calls %v, want the failed creations put back (a rerun would fail the same way)", k, got)
		}
	}
}
