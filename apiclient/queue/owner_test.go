package queue_test

import (
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/sandbox"
)

// Jobs queued for one endpoint and organization are never sent to another:
// a queue opened for another owner holds them (listed by Held, untouched),
// sends none of them, and the owner's own queue later sends them all.
func TestJournalRefusesToSendAJobToAnotherOwner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "q.db")
		e := newEnv(t, envOpts{sandbox: sandbox.Options{Window: 2 * time.Second}, org: sandbox.OrgOptions{Plan: "enterprise", Credits: 100}, journal: path})
		defer func() { e.close() }()
		mine := queue.Owner{Endpoint: "http://127.0.0.1:1111", Org: "sha256:aaaa", Token: "ab_…aaaa"}
		openAs := func(o queue.Owner) *queue.Queue {
			t.Helper()
			q, err := queue.Open(queue.QueueOptions{Journal: e.j, API: e.client, Now: now, Owner: o,
				Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("team")), Now: now})})
			if err != nil {
				t.Fatal(err)
			}
			return q
		}
		if _, err := openAs(mine).Enqueue(jobs(3)...); err != nil {
			t.Fatal(err)
		}
		for _, other := range []queue.Owner{
			{Endpoint: "http://127.0.0.1:2222", Org: mine.Org, Token: mine.Token}, // another endpoint
			{Endpoint: mine.Endpoint, Org: "sha256:bbbb", Token: "ab_…bbbb"},      // another organization
		} {
			q := openAs(other)
			held := q.Held()
			if len(held) != 1 || held[0].Owner != mine || held[0].Unfinished != 3 {
				t.Fatalf("as %+v: held %+v, want 3 jobs of %+v", other, held, mine)
			}
			if n := len(q.List()); n != 0 || q.Unfinished() != 0 {
				t.Fatalf("as %+v: %d foreign jobs in the list, %d to send", other, n, q.Unfinished())
			}
			if err := q.Run(bg, true); err != nil {
				t.Fatal(err)
			}
			if n := e.sb.Stats().JobsCreated; n != 0 {
				t.Fatalf("as %+v: %d jobs sent to the wrong owner", other, n)
			}
		}
		q := openAs(mine)
		if err := q.Run(bg, true); err != nil {
			t.Fatal(err)
		}
		if n := e.sb.Stats().JobsCreated; n != 3 || len(q.Held()) != 0 {
			t.Fatalf("the owner's queue created %d of 3 jobs, held %v", n, q.Held())
		}
	})
}

// Discard drops another owner's unfinished jobs from the journal.
func TestDiscardHeldJobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	j, err := queue.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	mine := queue.Owner{Endpoint: "https://a.example", Org: "sha256:aaaa"}
	open := func(o queue.Owner) *queue.Queue {
		q, err := queue.Open(queue.QueueOptions{Journal: j, API: nopAPI{}, Owner: o,
			Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("pro"))})})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	if _, err := open(mine).Enqueue(jobs(2)...); err != nil {
		t.Fatal(err)
	}
	n, err := j.DiscardUnfinished(func(o queue.Owner) bool { return o.Endpoint == "https://a.example" })
	if err != nil || n != 2 {
		t.Fatalf("discarded %d, %v; want 2", n, err)
	}
	if h := open(queue.Owner{Endpoint: "https://b.example"}).Held(); len(h) != 0 {
		t.Fatalf("still held: %+v", h)
	}
}
