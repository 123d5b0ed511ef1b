package queue_test

// Benchmark of the scheduler against the sandbox, under testing/synctest
// so 1,000 jobs over minutes of API time take seconds of CPU and no wall
// time. A benchmark cannot open a synctest bubble (synctest.Test needs a
// *testing.T), so each case runs TestBenchSim in a child test process and
// reports its figures with b.ReportMetric:
//
//	go test -run '^$' -bench BenchmarkSubmit -benchtime 1x ./apiclient/queue/
//
// Clients compared in the same run: abtop's scheduler; a fixed-rate
// golang.org/x/time/rate client set to the documented limit that retries
// 429s at its own pace; a plain loop that sends as fast as it can and,
// on a 429, sleeps the Retry-After and tries again.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/sandbox"
	xrate "golang.org/x/time/rate"
)

const (
	benchWindow = 2 * time.Second
	benchReqs   = 20 // per window
	benchPoints = 60 // per window, points dialect (a job costs 3)
)

type simResult struct {
	Created    int64   `json:"created"`
	Duplicates int64   `json:"duplicates"`
	HTTP429    int64   `json:"http_429"`
	Violations int64   `json:"violations"`
	Allowance  float64 `json:"allowance"`
	SimSeconds float64 `json:"sim_seconds"`
	// SrvAllowance is the honest measure, and the one the targets are
	// stated in: the requests the server accepted against its rate
	// window, over the requests it would have accepted in the windows
	// the batch spanned (limit per window × run time / window). Not
	// accepted: 429s, the proxy's 502/503 pages (the API never saw them)
	// and stalled requests the client gave up on (the API never handled
	// them). Accepted, though the client may never learn it: a 500 (the
	// API counted it), a dropped or cut-off answer, an answer with
	// garbled or no rate headers. Allowance, the scheduler's own view,
	// misses those last ones, so under faults it reads low.
	SrvAllowance float64 `json:"srv_allowance"`
}

// TestBenchSim is the child side of BenchmarkSubmit; it runs only when the
// benchmark starts it.
func TestBenchSim(t *testing.T) {
	spec := os.Getenv("ABTOP_BENCH_SIM")
	if spec == "" {
		t.Skip("run by BenchmarkSubmit")
	}
	parts := strings.Split(spec, ",") // dialect,scenario,client,jobs
	jobsN, _ := strconv.Atoi(parts[3])
	var res simResult
	synctest.Test(t, func(t *testing.T) {
		res = simulate(t, sandbox.Dialect(parts[0]), parts[1], parts[2], jobsN)
	})
	data, _ := json.Marshal(res)
	fmt.Printf("BENCHSIM %s\n", data)
}

// Scenarios: "alone"; "shared" (the sandbox's own traffic spends half the
// window); "faults" (20 % of requests get one of the sandbox's faults,
// spread over every kind); "conc3" (a concurrency limit of 3, which the
// predictions dialect states only in its 429 body).
//
// Where srv-allowance under faults goes (ABTOP_BENCH_LOG=<file> writes
// every request the sandbox saw, with its fault, as JSON lines). 500s,
// 502/503 pages, drops and garbled headers cost about nothing: the next
// answer states the server's count. Three losses were found that way and
// fixed (2026-11-30): a stall held its unit past a 2 s window's end until
// its deadline (now given up once requests sent after it are answered,
// and its unit comes back when the server's count shows it never
// arrived, stall.go); four 503 pages among the 20 requests a window
// starts with came back first and held the org 5 s (runs are counted in
// send order now, pacing.go); an answer without headers that overtook an
// earlier one let one request too many go, a 429 (budget.State.Unseen).
// What is left is the batch's tail: its last jobs waiting out a 503's
// Retry-After (5 s) or a fault's backoff with nothing else to send, 0–6 %
// of a 110 s batch by the luck of where the last faults fall.
func simulate(t *testing.T, d sandbox.Dialect, scenario string, client string, n int) simResult {
	seed := uint64(11)
	if v := os.Getenv("ABTOP_BENCH_SEED"); v != "" { // the faults' draw, to see past one seed's luck
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("ABTOP_BENCH_SEED: %v", err)
		}
	}
	sbo := sandbox.Options{Window: benchWindow, Dialect: d, Seed: seed, JobTimeScale: 0.01}
	limits := sandbox.Limits{Requests: benchReqs, Points: benchPoints, Concurrency: 1 << 20}
	if p := os.Getenv("ABTOP_BENCH_LOG"); p != "" { // see above
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sbo.Logger = slog.New(slog.NewJSONHandler(f, nil))
	}
	switch scenario {
	case "faults":
		spec := "0.2"
		if v := os.Getenv("ABTOP_BENCH_FAULTS"); v != "" {
			spec = v // e.g. "stall=0.2", to see what one kind costs
		}
		f, err := sandbox.ParseFaults(spec)
		if err != nil {
			t.Fatal(err)
		}
		sbo.Faults = f
	case "conc3":
		limits.Concurrency = 3
	}
	e := newEnv(t, envOpts{sandbox: sbo, org: sandbox.OrgOptions{Plan: "enterprise", Credits: 1e7, Limits: &limits}})
	defer e.close()
	if scenario == "shared" {
		stop, err := e.sb.StartTraffic(bg, e.org, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
	}
	jobs := jobs(n)
	perWindow := windowCounter{}
	start := time.Now()
	switch client {
	case "abtop":
		if _, err := e.q.Enqueue(jobs...); err != nil {
			t.Fatal(err)
		}
		if err := e.q.Run(bg, true); err != nil {
			t.Fatal(err)
		}
	case "xrate":
		// Configured from the documented limit, as a user would: one
		// request per window/limit, retrying a 429 at the same pace.
		lim := xrate.NewLimiter(xrate.Every(benchWindow/time.Duration(benchReqs)), 1)
		if d == sandbox.DialectPoints {
			lim = xrate.NewLimiter(xrate.Every(benchWindow/time.Duration(benchPoints)), 1)
		}
		for i, j := range jobs {
			key := fmt.Sprint("xrate-", i)
			for {
				_ = lim.Wait(bg)
				_, meta, err := e.client.CreateJob(bg, apiclient.JobRequest{Model: j.Model, Input: j.Input}, key)
				if !is429(err) {
					perWindow.add(meta.Snapshot, err)
					break
				}
			}
		}
	case "retry":
		for i, j := range jobs {
			key := fmt.Sprint("retry-", i)
			for {
				_, meta, err := e.client.CreateJob(bg, apiclient.JobRequest{Model: j.Model, Input: j.Input}, key)
				if !is429(err) {
					perWindow.add(meta.Snapshot, err)
					break
				}
				var ae *apiclient.Error
				wait := time.Second
				if errors.As(err, &ae) && ae.Snapshot.RetryAfter != nil {
					wait = *ae.Snapshot.RetryAfter
				}
				time.Sleep(wait)
			}
		}
	default:
		t.Fatalf("unknown client %q", client)
	}
	elapsed := time.Since(start)
	st := e.sb.Stats()
	// Allowance: the same measure for every client (Scheduler.Allowance):
	// units spent per server window, over the whole windows between the
	// first and the last one the run touched.
	cost := int64(1)
	limit := int64(benchReqs)
	if d == sandbox.DialectPoints {
		cost, limit = 3, benchPoints
	}
	allowance := e.sched.Allowance(benchWindow)
	if client != "abtop" {
		allowance = perWindow.allowance(cost, limit)
	}
	// A stall outlasts every run (StallFor, 5 min), so each one was
	// abandoned by the client before the API handled it.
	counted := st.Requests - st.Faults[string(sandbox.Fault502)] - st.Faults[string(sandbox.Fault503)] -
		st.Faults[string(sandbox.FaultStall)] - st.TooManyRequests
	budget := float64(limit/cost) * elapsed.Seconds() / benchWindow.Seconds()
	return simResult{
		Created: st.JobsCreated, Duplicates: st.DuplicateJobs, HTTP429: st.TooManyRequests,
		Violations: st.RetryAfterViolations, Allowance: allowance, SimSeconds: elapsed.Seconds(),
		SrvAllowance: min(1, float64(counted)/budget),
	}
}

// windowCounter counts a baseline client's successes per server window.
type windowCounter map[time.Time]int64

func (w windowCounter) add(snap usage.Snapshot, err error) {
	if err != nil {
		return
	}
	if l, ok := snap.BindingLimit(); ok && l.ResetAfter != nil {
		w[snap.Now().Add(*l.ResetAfter).Round(time.Second)]++
	}
}

func (w windowCounter) allowance(cost, limit int64) float64 {
	ids := make([]time.Time, 0, len(w))
	for id := range w {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b time.Time) int { return a.Compare(b) })
	if len(ids) < 3 {
		return 0
	}
	var units int64
	for _, id := range ids[1 : len(ids)-1] {
		units += w[id] * cost
	}
	n := int64(ids[len(ids)-2].Sub(ids[1])/benchWindow) + 1
	return float64(units) / float64(limit*n)
}

func is429(err error) bool {
	var ae *apiclient.Error
	return errors.As(err, &ae) && ae.Status == 429
}

func BenchmarkSubmit(b *testing.B) {
	n := 1000
	if v := os.Getenv("ABTOP_BENCH_JOBS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for _, d := range sandbox.Dialects() {
		for _, sc := range []string{"alone", "shared", "faults", "conc3"} {
			if sc == "conc3" && d != sandbox.DialectPredictions {
				continue
			}
			for _, c := range []string{"abtop", "xrate", "retry"} {
				if (sc == "faults" || sc == "conc3") && c != "abtop" {
					continue // the baselines neither survive faults nor hold slots
				}
				b.Run(fmt.Sprintf("%s/%s/%s", d, sc, c), func(b *testing.B) {
					var r simResult
					for b.Loop() {
						r = runSim(b, fmt.Sprintf("%s,%s,%s,%d", d, sc, c, n))
					}
					b.ReportMetric(r.Allowance, "allowance")
					b.ReportMetric(r.SrvAllowance, "srv-allowance")
					b.ReportMetric(float64(r.HTTP429), "429s")
					b.ReportMetric(float64(r.Violations), "violations")
					b.ReportMetric(float64(r.Duplicates), "duplicates")
					b.ReportMetric(float64(int64(n)-r.Created), "lost")
					b.ReportMetric(r.SimSeconds, "sim-s")
				})
			}
		}
	}
}

func runSim(b *testing.B, spec string) simResult {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestBenchSim$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ABTOP_BENCH_SIM="+spec)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("simulation %s: %v\n%s", spec, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "BENCHSIM "); ok {
			var r simResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				b.Fatal(err)
			}
			return r
		}
	}
	b.Fatalf("simulation %s printed no result:\n%s", spec, out)
	return simResult{}
}

var _ = queue.StateCreated
