package queue_test

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/caps"
	"github.com/abtop-dev/abtop/sandbox"
)

// capEnv is newEnv with the profile's caps in the scheduler and a batch
// cap in the queue.
func capEnv(t *testing.T, c *caps.Caps, maxCredits float64) *env {
	e := newEnv(t, envOpts{
		sandbox: sandbox.Options{Window: 2 * time.Second, Seed: 1, JobTimeScale: 0.01},
		org:     sandbox.OrgOptions{Plan: "enterprise", Credits: 1e6, Limits: &sandbox.Limits{Requests: 50, Points: 150, Concurrency: 1000}},
	})
	e.sched = queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("team")), Now: now, Caps: c})
	q, err := queue.Open(queue.QueueOptions{Journal: e.j, Scheduler: e.sched, API: e.client, Now: now, MaxCredits: maxCredits})
	if err != nil {
		t.Fatal(err)
	}
	e.q = q
	return e
}

func TestDailyCapPausesAtExactlyTheCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := capEnv(t, &caps.Caps{DailyCredits: 7, Zone: time.UTC}, 0)
		defer e.close()
		if _, err := e.q.Enqueue(jobs(12)...); err != nil {
			t.Fatal(err)
		}
		err := e.q.Run(bg, true)
		var be *queue.BlockedError
		if !errors.As(err, &be) || be.Reason != budget.ReasonCap || be.Reached == nil {
			t.Fatalf("Run: %v, want a cap BlockedError", err)
		}
		if st := e.sb.Stats(); st.JobsCreated != 7 || st.CreditsCharged != 7 {
			t.Fatalf("created %d, charged %v; want 7 at a daily cap of 7", st.JobsCreated, st.CreditsCharged)
		}
		if p := e.q.Paused(); !strings.HasPrefix(p, "daily credit cap 7 reached · lifts 00:00") {
			t.Fatalf("pause reason %q", p)
		}
		// A canceled job is refunded: its credit goes back to the cap.
		var key string
		for _, j := range e.q.List() {
			if j.JobID != "" && j.Cap.Price == 1 {
				key = j.Key
				break
			}
		}
		if key == "" {
			t.Fatal("no created job holds a cap reservation")
		}
		if err := e.q.Cancel(bg, key); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		e.q.Resume()
		_ = e.q.Run(bg, true)
		if st := e.sb.Stats(); st.JobsCreated != 8 || st.CreditsCharged-st.CreditsRefunded != 7 {
			t.Fatalf("after a refund: created %d, net %v; want 8 created, 7 net", st.JobsCreated, st.CreditsCharged-st.CreditsRefunded)
		}
	})
}

func TestMaxCreditsStopsTheBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := capEnv(t, nil, 5)
		defer e.close()
		if _, err := e.q.Enqueue(jobs(9)...); err != nil {
			t.Fatal(err)
		}
		err := e.q.Run(bg, true)
		var be *queue.BlockedError
		if !errors.As(err, &be) || be.Reached == nil || be.Reached.Kind != caps.BatchCredits {
			t.Fatalf("Run: %v, want the batch cap", err)
		}
		if st := e.sb.Stats(); st.JobsCreated != 5 {
			t.Fatalf("created %d, want 5 under --max-credits 5", st.JobsCreated)
		}
		if p := e.q.Paused(); !strings.Contains(p, "batch credit cap 5 (--max-credits) reached") {
			t.Fatalf("pause reason %q", p)
		}
	})
}
