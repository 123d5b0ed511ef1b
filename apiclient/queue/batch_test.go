package queue_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/sandbox"
)

// The acceptance shape of issue 4 under a fake clock: window 2 s, 20
// requests per window, 300 jobs, abtop alone.
func TestBatchAloneSpendsTheWindowWithoutA429(t *testing.T) {
	for _, d := range sandbox.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel() // a bubble of its own; the time goes on journal fsyncs, which overlap
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, envOpts{
					sandbox: sandbox.Options{Window: 2 * time.Second, Dialect: d, Seed: 1, JobTimeScale: 0.01},
					org:     sandbox.OrgOptions{Plan: "enterprise", Credits: 1e6, Limits: &sandbox.Limits{Requests: 20, Points: 60, Concurrency: 1000}},
				})
				defer e.close()
				if _, err := e.q.Enqueue(jobs(300)...); err != nil {
					t.Fatal(err)
				}
				if err := e.q.Run(bg, true); err != nil {
					t.Fatal(err)
				}
				st := e.sb.Stats()
				ss := e.sched.Stats()
				c := e.q.Counts()
				use := allowance(e)
				t.Logf("%s: created %d, 429s %d, violations %d, duplicates %d, requests %d, allowance %.3f", d, st.JobsCreated, st.TooManyRequests, st.RetryAfterViolations, st.DuplicateJobs, ss.Requests, use)
				if c[queue.StateCreated]+c[queue.StateRunning]+c[queue.StateSucceeded] != 300 || st.JobsCreated != 300 {
					t.Errorf("created %d (states %v), want 300", st.JobsCreated, c)
				}
				if st.TooManyRequests != 0 || st.RetryAfterViolations != 0 || st.DuplicateJobs != 0 {
					t.Errorf("429s %d, violations %d, duplicates %d; want 0", st.TooManyRequests, st.RetryAfterViolations, st.DuplicateJobs)
				}
				if use < 0.97 {
					t.Errorf("allowance used %.3f, want ≥ 0.97", use)
				}
			})
		})
	}
}

// A second client spends half the window: a 429 may happen, but never a
// request inside a Retry-After, and every job is created exactly once.
func TestBatchSharedNeverViolatesRetryAfter(t *testing.T) {
	for _, d := range sandbox.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel() // a bubble of its own; the time goes on journal fsyncs, which overlap
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, envOpts{
					sandbox: sandbox.Options{Window: 2 * time.Second, Dialect: d, Seed: 2, JobTimeScale: 0.01},
					org:     sandbox.OrgOptions{Plan: "enterprise", Credits: 1e6, Limits: &sandbox.Limits{Requests: 20, Points: 60, Concurrency: 1000}},
				})
				defer e.close()
				stop, err := e.sb.StartTraffic(bg, e.org, 0.5)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.q.Enqueue(jobs(200)...); err != nil {
					t.Fatal(err)
				}
				if err := e.q.Run(bg, true); err != nil {
					t.Fatal(err)
				}
				stop()
				st := e.sb.Stats()
				ss := e.sched.Stats()
				t.Logf("%s: created %d, 429s %d (ours %d), violations %d, duplicates %d, requests %d, allowance %.3f", d, st.JobsCreated, st.TooManyRequests, ss.HTTP429, st.RetryAfterViolations, st.DuplicateJobs, ss.Requests, allowance(e))
				if st.RetryAfterViolations != 0 || st.DuplicateJobs != 0 {
					t.Errorf("violations %d, duplicates %d; want 0", st.RetryAfterViolations, st.DuplicateJobs)
				}
				if n := e.q.Counts()[queue.StateCreated] + e.q.Counts()[queue.StateRunning] + e.q.Counts()[queue.StateSucceeded]; n != 200 {
					t.Errorf("%d jobs created, want 200 (%v)", n, e.q.Counts())
				}
			})
		})
	}
}
