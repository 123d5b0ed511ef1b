package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

// Issue 14 acceptance: after three batches across two profiles, "report
// --json" totals equal the sandbox's counters, and each profile has its
// own line.
func TestReportE2EMatchesSandbox(t *testing.T) {
	t.Parallel() // counts, not timing: runs beside the others once the timing-sensitive tests are done
	e := newCostE2E(t, sandbox.Limits{Requests: 200, Points: 600, Concurrency: 100000})
	cfgDir := filepath.Join(e.dir, "cfg", "abtop")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "config.yaml"), []byte("profiles:\n  alpha: {}\n  beta: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	batches := []struct {
		profile string
		n       int
	}{{"alpha", 12}, {"beta", 7}, {"alpha", 5}}
	for b, bt := range batches {
		file := mixedJobsNamed(t, e.dir, fmt.Sprintf("b%d", b), bt.n)
		c := e.cmd(t, "--profile", bt.profile, "submit", file)
		c.Env = append(c.Env, "ABTOP_JOURNAL="+filepath.Join(e.dir, bt.profile+".db"))
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("batch %d: %v\n%s", b, err, out)
		}
	}
	st := fetchStats(t, e.url)

	var stdout, stderr bytes.Buffer
	c := e.cmd(t, "report", "--json", "--by", "profile", "--since", "1h")
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("abtop report: %v\n%s", err, stderr.String())
	}
	type line struct {
		Key            *string `json:"key"`
		Jobs           int64   `json:"jobs"`
		CreditsCharged float64 `json:"credits_charged"`
		Writes         int64   `json:"writes"`
		Throttled      int64   `json:"throttled"`
	}
	var rep struct {
		Rows      []line `json:"rows"`
		Total     line   `json:"total"`
		Forecasts []struct {
			Profile string `json:"profile"`
			Basis   string `json:"basis"`
		} `json:"forecasts"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report JSON %q: %v", stdout.String(), err)
	}
	t.Logf("report total %+v; sandbox created %d, charged %v, writes %d, 429s %d", rep.Total, st.JobsCreated, st.CreditsCharged, st.Writes, st.TooManyRequests)
	tot := rep.Total
	if tot.Jobs != st.JobsCreated || tot.CreditsCharged != st.CreditsCharged || tot.Writes != st.Writes || tot.Throttled != st.TooManyRequests {
		t.Errorf("report total %+v ≠ sandbox: created %d, charged %v, writes %d, 429s %d", tot, st.JobsCreated, st.CreditsCharged, st.Writes, st.TooManyRequests)
	}
	got := map[string]int64{}
	for _, r := range rep.Rows {
		if r.Key != nil {
			got[*r.Key] = r.Jobs
		}
	}
	if got["alpha"] != 17 || got["beta"] != 7 {
		t.Errorf("jobs by profile %v, want alpha 17, beta 7", got)
	}
	// Minutes of history: each profile's forecast says why there is none.
	bases := map[string]string{}
	for _, f := range rep.Forecasts {
		bases[f.Profile] = f.Basis
	}
	if want := "not enough history: under a day"; bases["alpha"] != want || bases["beta"] != want {
		t.Errorf("forecasts %v, want %q for alpha and beta", bases, want)
	}

	stdout.Reset()
	c = e.cmd(t, "report", "--by", "model")
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("abtop report: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "kling-2.6") {
		t.Errorf("report table lacks a model:\n%s", stdout.String())
	}
	t.Logf("report table:\n%s", stdout.String())
	dashboardShowsHistory(t, e, "alpha")
}

// mixedJobsNamed is mixedJobs with distinct refs per batch.
func mixedJobsNamed(t *testing.T, dir, name string, n int) string {
	t.Helper()
	sub := filepath.Join(dir, name)
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	p := mixedJobs(t, sub, n)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, p, strings.ReplaceAll(string(b), `"ref":"m-`, `"ref":"`+name+`-`))
}

func writeFile(t *testing.T, p, body string) string {
	t.Helper()
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The dashboard started after the batches shows them in its 1-hour chart,
// read from the history the submitters recorded.
func dashboardShowsHistory(t *testing.T, e *e2e, profile string) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Log("tmux not installed: the dashboard half is skipped")
		return
	}
	env := fmt.Sprintf("env -i PATH=%q HOME=%q XDG_CONFIG_HOME=%q XDG_STATE_HOME=%q TERM=xterm-256color NO_COLOR=1 "+
		"ABTOP_BASE_URL=%q ABTOP_TOKEN=%q ABTOP_JOURNAL=%q ABTOP_POLL_INTERVAL=1s",
		os.Getenv("PATH"), e.dir, filepath.Join(e.dir, "cfg"), filepath.Join(e.dir, "state"), e.url, e.token, filepath.Join(e.dir, profile+".db"))
	tm := startTmux(t, "hist", 120, 40, env+" "+abtopBinary(t)+" --profile "+profile+"; sleep 60")
	tm.waitFor("first data", 10*time.Second, `● live`)
	tm.keys("z", "z")
	s := tm.waitFor("1-hour chart", 10*time.Second, `History · last 1h`, `jobs created \(peak [1-9]`)
	t.Logf("dashboard after the batches:\n%s", s)
}
