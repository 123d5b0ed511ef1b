package main

// Wall-clock end-to-end tests of "abtop submit --limiter redis://…" (issue
// 7): three real abtop processes, one token, one sandbox organization
// (window 2 s, 20 requests per window) and one real redis-server from PATH
// (skipped, saying so, when it is absent). Sizes follow submit_e2e_test.go:
// -short and the default run small batches (about 20 s in all);
// ABTOP_E2E_FULL=1 runs the acceptance sizes (100 jobs per
// process, Redis down for 10 s) and the comparison without Redis (about
// 2.5 minutes).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget/redisbudget"
	"github.com/abtop-dev/abtop/internal/redistest"
	"github.com/abtop-dev/abtop/sandbox"
)

const (
	redisE2EWindow = 2 * time.Second
	redisE2ELimit  = 20 // requests per window (newE2E's org)
	redisE2EProcs  = 3
)

// testSubmitE2ERedisShared is issue 7's acceptance: three submitters that
// share one Redis obey one budget (0 Retry-After violations, at most 3
// 429s, every job created once, ≥ 95 % of the allowance used); the same
// run without Redis is logged beside it for comparison (it is expected to
// draw many 429s, so little is asserted about it).
func testSubmitE2ERedisShared(t *testing.T) {
	per := e2eSize(t, 10, 20, 100)
	rds := redistest.Start(t, redistest.Options{})

	t.Run("with-redis", func(t *testing.T) {
		r := runRedisE2E(t, per, rds.URL()+"?org=acme", nil)
		t.Log(r.row("with redis"))
		for i, res := range r.results {
			t.Logf("process %d stderr:\n%s", i, res.stderr)
			if res.err != nil {
				t.Errorf("process %d: %v\n%s", i, res.err, res.stderr)
			}
			if lim := redisStatus(res.sum.Limiter); lim == nil || !strings.Contains(lim.String(), "shared via redis") || lim.Org != "acme" {
				t.Errorf("process %d: limiter in the summary = %+v, want shared via redis for org acme", i, res.sum.Limiter)
			}
		}
		r.checkOnce(t)
		if r.stats.RetryAfterViolations != 0 {
			t.Errorf("Retry-After violations %d, want 0", r.stats.RetryAfterViolations)
		}
		if r.stats.TooManyRequests > 3 {
			t.Errorf("429s %d, want at most 3", r.stats.TooManyRequests)
		}
		// Before issue 17 whole windows went idle here (0.500 with
		// [20 2 0 19 19 6] per window): processes that asked while
		// another's first request was in flight slept the Free plan's
		// 6 s pace. Since then every whole window is full but for a
		// probe's unit (0.975–1.000 in 10 runs at the default size).
		want := 0.9
		if os.Getenv("ABTOP_E2E_FULL") == "1" {
			want = 0.95
		}
		if r.windows < 1 && !testing.Short() {
			t.Errorf("the batch spanned no whole window (per window %v): nothing to measure", r.perWindow)
		} else if r.windows >= 1 && r.allowance < want {
			t.Errorf("allowance used %.3f over %d whole windows (per window %v), want ≥ %.2f", r.allowance, r.windows, r.perWindow, want)
		}
	})
	t.Run("without-redis", func(t *testing.T) {
		if os.Getenv("ABTOP_E2E_FULL") != "1" {
			// Submitters that ignore each other's Retry-After draw longer
			// and longer penalties: a small run took 49 s here.
			t.Skip("the comparison run without Redis is part of the full run (ABTOP_E2E_FULL=1)")
		}
		r := runRedisE2E(t, per, "memory", nil) // each process on its own
		t.Log(r.row("without redis"))
		for i, res := range r.results {
			if res.err != nil {
				t.Logf("process %d: %v", i, res.err)
			}
		}
	})
}

// testSubmitE2ERedisOutage kills Redis mid-batch and brings it back on the
// same port: the submitters say so, carry on at their local share, and the
// batch completes with no violation and no job created twice.
func testSubmitE2ERedisOutage(t *testing.T) {
	per := e2eSize(t, 15, 25, 100)
	outage := time.Duration(e2eSize(t, 2, 3, 10)) * time.Second
	rds := redistest.Start(t, redistest.Options{})
	var downAt, upAt time.Time
	r := runRedisE2E(t, per, rds.URL()+"?org=acme", func(e *e2e) {
		// Mid-run: once a third of the jobs exist.
		for e.sb.Stats().JobsCreated < int64(redisE2EProcs*per/3) {
			time.Sleep(20 * time.Millisecond)
		}
		downAt = time.Now()
		rds.Stop()
		time.Sleep(outage)
		rds.Restart()
		upAt = time.Now()
	})
	t.Logf("%s; redis down %s (from %.1fs into the run)", r.row("redis outage"), upAt.Sub(downAt).Round(100*time.Millisecond), downAt.Sub(r.start).Seconds())
	said := false
	for i, res := range r.results {
		t.Logf("process %d stderr:\n%s", i, res.stderr)
		if res.err != nil {
			t.Errorf("process %d: %v\n%s", i, res.err, res.stderr)
		}
		said = said || strings.Contains(res.stderr, "degraded to a local share")
	}
	if !said {
		t.Errorf("no submitter said Redis was lost; stderr of the first:\n%s", r.results[0].stderr)
	}
	r.checkOnce(t)
	// An outage costs the rest of the window it starts in (the local shares
	// start at the next one) and a little at the reconnect: 0.69–0.98 in
	// 30 runs on a loaded machine. Half is a floor that says whole windows
	// did not go idle.
	if r.windows >= 2 && r.allowance < 0.5 {
		t.Errorf("allowance used %.3f over %d whole windows (per window %v), want ≥ 0.5 through an outage", r.allowance, r.windows, r.perWindow)
	}
	if r.stats.RetryAfterViolations != 0 {
		t.Errorf("Retry-After violations %d, want 0; Redis down +%.3fs to +%.3fs; requests around each 429:\n%s",
			r.stats.RetryAfterViolations, downAt.Sub(r.start).Seconds(), upAt.Sub(r.start).Seconds(), r.reqs.around429s(r.start, 1500*time.Millisecond))
	}
}

type redisE2EResult struct {
	sum    submitSummary
	stderr string
	err    error
}

type redisE2ERun struct {
	per       int
	reqs      *requestLog
	start     time.Time
	elapsed   time.Duration
	results   []redisE2EResult
	stats     sandbox.Stats
	allowance float64
	windows   int
	perWindow []int // accepted requests per window, first to last
}

// runRedisE2E runs redisE2EProcs "abtop submit --json" processes of per
// jobs each (distinct refs, one journal each, one token) at once against a
// fresh sandbox org, with --limiter limiter unless it is empty. during, if
// set, runs alongside them.
func runRedisE2E(t *testing.T, per int, limiter string, during func(*e2e)) *redisE2ERun {
	t.Helper()
	reqs := &requestLog{}
	e := newE2E(t, sandbox.Options{Window: redisE2EWindow, Seed: 17, JobTimeScale: 0.01, Logger: slog.New(reqs)}, 0)
	r := &redisE2ERun{per: per, reqs: reqs, results: make([]redisE2EResult, redisE2EProcs)}
	var wg sync.WaitGroup
	r.start = time.Now()
	for p := range redisE2EProcs {
		var jobs bytes.Buffer
		for i := range per {
			fmt.Fprintf(&jobs, `{"model":"flux-schnell","input":{"prompt":"a lighthouse, take %d","ref":"p%d-%d"}}`+"\n", i, p, i)
		}
		file := filepath.Join(e.dir, fmt.Sprintf("jobs-%d.jsonl", p))
		if err := os.WriteFile(file, jobs.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"submit", "--json", file}
		if limiter != "" {
			args = append(args, "--limiter", limiter)
		}
		c := e.cmd(t, args...)
		c.Env = append(c.Env, "ABTOP_JOURNAL="+filepath.Join(e.dir, fmt.Sprintf("queue-%d.db", p))) // the last value wins
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			err := c.Wait()
			res := redisE2EResult{stderr: stderr.String(), err: err}
			if jerr := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &res.sum); jerr != nil && err == nil {
				res.err = fmt.Errorf("summary %q: %v", stdout.String(), jerr)
			}
			r.results[p] = res
		})
	}
	if during != nil {
		during(e)
	}
	wg.Wait()
	r.elapsed = time.Since(r.start)
	r.stats = fetchStats(t, e.url)
	r.allowance, r.windows = reqs.sendingAllowance(redisE2EWindow, redisE2ELimit)
	r.perWindow = reqs.perWindow(redisE2EWindow)
	t.Logf("accepted requests per window: %v", r.perWindow)
	return r
}

// checkOnce asserts every job of every process was created exactly once.
func (r *redisE2ERun) checkOnce(t *testing.T) {
	t.Helper()
	total := int64(redisE2EProcs * r.per)
	if r.stats.JobsCreated != total || r.stats.DuplicateJobs != 0 {
		t.Errorf("sandbox created %d jobs (want %d), %d duplicates (want 0)", r.stats.JobsCreated, total, r.stats.DuplicateJobs)
	}
	for i, res := range r.results {
		if res.sum.Submitted != r.per {
			t.Errorf("process %d submitted %d, want %d", i, res.sum.Submitted, r.per)
		}
	}
}

// row is the comparison line the issue asks for.
func (r *redisE2ERun) row(name string) string {
	var clients429 []string
	for _, res := range r.results {
		clients429 = append(clients429, fmt.Sprint(res.sum.HTTP429))
	}
	return fmt.Sprintf("%-13s | %d×%d jobs | %5.1fs | created %d, duplicates %d | 429s %d (per process %s) | Retry-After violations %d | allowance used %.3f over %d whole windows",
		name, redisE2EProcs, r.per, r.elapsed.Seconds(), r.stats.JobsCreated, r.stats.DuplicateJobs, r.stats.TooManyRequests,
		strings.Join(clients429, "/"), r.stats.RetryAfterViolations, r.allowance, r.windows)
}

// fetchStats reads GET /_sandbox/stats, as an operator would.
func fetchStats(t *testing.T, baseURL string) sandbox.Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/_sandbox/stats", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st sandbox.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("GET /_sandbox/stats: %v", err)
	}
	return st
}

// redisStatus reads the summary's limiter (decoded as a generic JSON value)
// as the Redis backend's status; nil when absent or of another shape.
func redisStatus(v any) *redisbudget.Status {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var st *redisbudget.Status
	if json.Unmarshal(b, &st) != nil {
		return nil
	}
	return st
}
