package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/results"
)

// submitSummary is the --json output.
type submitSummary struct {
	Submitted     int      `json:"submitted"`
	Failed        int      `json:"failed"`
	Canceled      int      `json:"canceled"`
	Pending       int      `json:"pending"`
	HTTP429       int      `json:"http_429"`
	Retries       int      `json:"retries"`
	ElapsedS      float64  `json:"elapsed_s"`
	AllowanceUsed float64  `json:"allowance_used"`
	Paused        string   `json:"paused,omitempty"`
	Failures      []string `json:"failures,omitempty"`
	// Limiter is the shared budget's state at the end (the backend's own
	// status: a localbudget.Status or a redisbudget.Status); absent
	// in-process.
	Limiter any `json:"limiter,omitempty"`
	// Sharing is the same for the human summary.
	Sharing budget.Sharing `json:"-"`
	// Results is what --out came to: counts by final status, files and
	// bytes on disk, the manifest's path.
	Results *results.Summary `json:"results,omitempty"`
}

func (a *app) summarize(q *queue.Queue, sched *queue.Scheduler, store budget.Store, batch map[string]bool, start time.Time, runErr error) submitSummary {
	st := sched.Stats()
	sum := submitSummary{HTTP429: st.HTTP429, Retries: st.Retries, ElapsedS: roundTo(time.Since(start).Seconds(), 3), Paused: q.Paused()}
	q.Each(func(j queue.Job) { // not List: a copy of 100,000 jobs is 45 MB
		if !batch[j.Key] {
			return
		}
		switch j.State {
		case queue.StateCreated, queue.StateRunning, queue.StateSucceeded:
			sum.Submitted++
		case queue.StateFailed:
			sum.Failed++
			sum.Failures = append(sum.Failures, failureLine(j))
		case queue.StateCanceled:
			sum.Canceled++
		default:
			sum.Pending++
		}
	})
	if bs, err := store.Snapshot(context.Background()); err == nil && bs.Known {
		sum.AllowanceUsed = roundTo(sched.Allowance(bs.Window), 3)
	}
	if runErr != nil && sum.Paused == "" && !errors.Is(runErr, context.Canceled) {
		sum.Paused = runErr.Error()
	}
	return sum
}

func failureLine(j queue.Job) string {
	where := "job " + j.Key
	if j.Line > 0 {
		where = fmt.Sprintf("line %d", j.Line)
	}
	if j.Problem == nil {
		return where + ": failed"
	}
	return where + ": " + j.Problem.Line()
}

func (a *app) printSummary(s submitSummary) {
	parts := []string{fmt.Sprintf("%d created", s.Submitted)}
	if s.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", s.Failed))
	}
	if s.Canceled > 0 {
		parts = append(parts, fmt.Sprintf("%d canceled", s.Canceled))
	}
	if s.Pending > 0 {
		parts = append(parts, fmt.Sprintf("%d not sent", s.Pending))
	}
	fmt.Fprintf(a.out, "%s in %.1fs · %d×429 · %d retries · %.0f%% of the rate allowance used\n",
		strings.Join(parts, ", "), s.ElapsedS, s.HTTP429, s.Retries, 100*s.AllowanceUsed)
	if s.Sharing.Shared {
		fmt.Fprintf(a.out, "limiter: %s (org %q)\n", s.Sharing.Text, s.Sharing.Org)
	}
	if s.Paused != "" {
		fmt.Fprintf(a.out, "paused: %s\n", s.Paused)
	}
	if s.Results != nil {
		printResults(a, *s.Results)
	}
	fails := append([]string(nil), s.Failures...)
	sort.Strings(fails)
	for _, f := range fails {
		fmt.Fprintln(a.out, "  "+f)
	}
}

func roundTo(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}
