package queue_test

// BenchmarkBatch follows a 1,000-job batch to its end in a synctest
// sandbox, in a child process like BenchmarkSubmit:
//
//	go test -run '^$' -bench BenchmarkBatch -benchtime 1x ./apiclient/queue/
//
// It reports the tracking reads per job, the time from the first create to
// the last final status against the ideal (every create at the rate limit,
// then the longest job), and the child's peak memory.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/sandbox"
)

type batchResult struct {
	Jobs       int     `json:"jobs"`
	Succeeded  int     `json:"succeeded"`
	ListReads  int64   `json:"list_reads"`
	GetReads   int64   `json:"get_reads"`
	Seconds    float64 `json:"seconds"` // first create to last final status
	Ideal      float64 `json:"ideal"`
	Duplicates int64   `json:"duplicates"`
	HTTP429    int64   `json:"http_429"`
	PeakRSS    int64   `json:"peak_rss"`
}

// TestBatchTrackSim is the child side of BenchmarkBatch.
func TestBatchTrackSim(t *testing.T) {
	spec := os.Getenv("ABTOP_BENCH_BATCH")
	if spec == "" {
		t.Skip("run by BenchmarkBatch")
	}
	n, _ := strconv.Atoi(spec)
	var r batchResult
	synctest.Test(t, func(t *testing.T) {
		r = simulateBatch(t, n)
	})
	r.PeakRSS = peakRSS()
	data, _ := json.Marshal(r)
	fmt.Printf("BATCHSIM %s\n", data)
}

func simulateBatch(t *testing.T, n int) batchResult {
	e := newTrackEnv(t, trackOpts{
		sandbox: sandbox.Options{Window: benchWindow, Seed: 12},
		org:     sandbox.OrgOptions{Plan: "enterprise", Credits: 1e7, Limits: &sandbox.Limits{Requests: benchReqs, Points: benchPoints, Concurrency: 1 << 20}},
	})
	defer e.close()
	events, stop := e.q.Subscribe(8 * n)
	if _, err := e.q.Enqueue(jobs(n)...); err != nil {
		t.Fatal(err)
	}
	type seen struct{ created, final time.Time }
	at := map[string]*seen{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			if ev.Type != queue.EventJob || ev.Job.JobID == "" {
				continue
			}
			s := at[ev.Job.Key]
			if s == nil {
				s = &seen{created: time.Now()}
				at[ev.Job.Key] = s
			}
			if ev.Job.State.Final() && s.final.IsZero() {
				s.final = time.Now()
			}
		}
	}()
	if err := e.q.Finish(context.Background()); err != nil {
		t.Fatal(err)
	}
	stop()
	<-done
	var first, last time.Time
	var longest time.Duration
	for _, s := range at {
		if first.IsZero() || s.created.Before(first) {
			first = s.created
		}
		if s.final.After(last) {
			last = s.final
		}
		longest = max(longest, s.final.Sub(s.created))
	}
	st := e.sb.Stats()
	ideal := time.Duration(n-1)*benchWindow/time.Duration(benchReqs) + longest
	return batchResult{
		Jobs: n, Succeeded: e.q.Counts()[queue.StateSucceeded], ListReads: st.ListReads, GetReads: st.GetReads,
		Seconds: last.Sub(first).Seconds(), Ideal: ideal.Seconds(), Duplicates: st.DuplicateJobs, HTTP429: st.TooManyRequests,
	}
}

func BenchmarkBatch(b *testing.B) {
	n := 1000
	if v := os.Getenv("ABTOP_BENCH_JOBS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	var r batchResult
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestBatchTrackSim$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ABTOP_BENCH_BATCH="+strconv.Itoa(n))
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			b.Fatalf("simulation: %v\n%s", err, out)
		}
		found := false
		for _, line := range strings.Split(string(out), "\n") {
			if rest, ok := strings.CutPrefix(line, "BATCHSIM "); ok {
				if err := json.Unmarshal([]byte(rest), &r); err != nil {
					b.Fatal(err)
				}
				found = true
			}
		}
		if !found {
			b.Fatalf("simulation printed no result:\n%s", out)
		}
	}
	if r.Succeeded != r.Jobs {
		b.Errorf("%d of %d jobs succeeded", r.Succeeded, r.Jobs)
	}
	b.ReportMetric(float64(r.ListReads+r.GetReads)/float64(r.Jobs), "reads/job")
	b.ReportMetric(float64(r.ListReads), "list-reads")
	b.ReportMetric(float64(r.GetReads), "get-reads")
	b.ReportMetric(r.Seconds, "sim-s")
	b.ReportMetric(r.Ideal, "ideal-s")
	b.ReportMetric(r.Seconds/r.Ideal, "vs-ideal")
	b.ReportMetric(float64(r.Duplicates), "duplicates")
	b.ReportMetric(float64(r.HTTP429), "429s")
	b.ReportMetric(float64(r.PeakRSS)/1e6, "peak-RSS-MB")
}
