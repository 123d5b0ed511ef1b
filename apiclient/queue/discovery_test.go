package queue_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

// Seed 002 states its concurrency limit only in the body of a 429
// (details.limit). Issue 16: at most one discovery 429, then none: once
// the limit is known, the jobs already created and not seen finished hold
// its slots, so no new job goes out while they run.
func TestConcurrencyDiscoveredOnce(t *testing.T) {
	for _, workers := range []int{1, 4, 8} {
		t.Run(fmt.Sprint(workers, " workers"), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, envOpts{
					sandbox: sandbox.Options{Window: 2 * time.Second, Dialect: sandbox.DialectPredictions, Seed: 7, JobTimeScale: 0.05},
					org:     sandbox.OrgOptions{Plan: "enterprise", Credits: 1e6, Limits: &sandbox.Limits{Requests: 20, Points: 60, Concurrency: 3}},
					workers: workers,
				})
				defer e.close()
				if _, err := e.q.Enqueue(jobs(30)...); err != nil {
					t.Fatal(err)
				}
				if err := e.q.Run(bg, true); err != nil {
					t.Fatal(err)
				}
				st := e.sb.Stats()
				t.Logf("created %d, 429s %d", st.JobsCreated, st.TooManyRequests)
				if st.JobsCreated != 30 || st.DuplicateJobs != 0 {
					t.Errorf("created %d (%d duplicates), want 30 once", st.JobsCreated, st.DuplicateJobs)
				}
				if st.TooManyRequests > 1 {
					t.Errorf("%d 429s, want at most the one that reveals the limit", st.TooManyRequests)
				}
			})
		})
	}
}

// With the plan known (/v1/balance names it, and the plan table documents
// its concurrency) the limit needs no discovery: not one 429.
func TestConcurrencyOfAKnownPlanDrawsNo429(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpts{
			sandbox: sandbox.Options{Window: 2 * time.Second, Dialect: sandbox.DialectPredictions, Seed: 7, JobTimeScale: 0.05},
			org:     sandbox.OrgOptions{Plan: "free", Credits: 1e6, Limits: &sandbox.Limits{Requests: 20, Points: 60, Concurrency: 2}},
			workers: 4,
		})
		defer e.close()
		if _, err := e.q.Enqueue(jobs(12)...); err != nil {
			t.Fatal(err)
		}
		if err := e.q.Run(bg, true); err != nil {
			t.Fatal(err)
		}
		st := e.sb.Stats()
		if st.JobsCreated != 12 || st.DuplicateJobs != 0 {
			t.Errorf("created %d (%d duplicates), want 12 once", st.JobsCreated, st.DuplicateJobs)
		}
		if st.TooManyRequests != 0 {
			t.Errorf("%d 429s, want none: the plan says the limit", st.TooManyRequests)
		}
	})
}
