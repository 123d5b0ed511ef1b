package main

// End-to-end tests of issue 14 with the real binary: the dry run's
// estimate against what the sandbox charges for the real run.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

// newCostE2E is newE2E with a roomy rate limit (the batch is large) and
// no job file.
func newCostE2E(t *testing.T, limits sandbox.Limits) *e2e {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Window: time.Second, Seed: 3, JobTimeScale: 0.001})
	if err != nil {
		t.Fatal(err)
	}
	org, tok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: "enterprise", Credits: 1e6, Limits: &limits})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	return &e2e{sb: sb, org: org, url: srv.URL, token: tok, dir: dir, journal: filepath.Join(dir, "queue.db")}
}

// mixedJobs writes n lines cycling through image, video and audio models.
func mixedJobs(t *testing.T, dir string, n int) string {
	t.Helper()
	var buf bytes.Buffer
	for i := range n {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&buf, `{"model":"flux-schnell","input":{"prompt":"p %d","ref":"m-%d"}}`+"\n", i, i)
		case 1:
			fmt.Fprintf(&buf, `{"model":"flux-dev","input":{"prompt":"p %d","ref":"m-%d"}}`+"\n", i, i)
		case 2:
			fmt.Fprintf(&buf, `{"model":"kling-2.6","input":{"prompt":"p %d","ref":"m-%d","duration":5}}`+"\n", i, i)
		case 3:
			fmt.Fprintf(&buf, `{"model":"tts-1","input":{"text":"t %d","ref":"m-%d"}}`+"\n", i, i)
		default:
			fmt.Fprintf(&buf, `{"model":"sdxl","input":{"prompt":"p %d","ref":"m-%d"}}`+"\n", i, i)
		}
	}
	p := filepath.Join(dir, "mixed.jsonl")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Issue 14 acceptance: a dry run of a 1,000-line file mixing image, video
// and audio models makes 0 writes and at most 2 reads, and its credit
// total is what the sandbox charges for the real run.
func TestSubmitE2EDryRunMatchesCharge(t *testing.T) {
	t.Parallel() // counts, not timing: runs beside the others once the timing-sensitive tests are done
	// the 1,000 lines with ABTOP_E2E_FULL=1
	n := e2eSize(t, 200, 200, 1000)
	e := newCostE2E(t, sandbox.Limits{Requests: 1000, Points: 3000, Concurrency: 100000})
	file := mixedJobs(t, e.dir, n)

	var stdout, stderr bytes.Buffer
	c := e.cmd(t, "submit", "--dry-run", "--json", file)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("abtop submit --dry-run: %v\n%s", err, stderr.String())
	}
	var dry struct {
		Estimate struct {
			Jobs    int     `json:"jobs"`
			Credits float64 `json:"credits"`
			Writes  int64   `json:"writes"`
		} `json:"estimate"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &dry); err != nil {
		t.Fatalf("dry run JSON %q: %v", stdout.String(), err)
	}
	st := fetchStats(t, e.url)
	t.Logf("dry run: %d jobs, %v credits; sandbox: %d requests, %d writes", dry.Estimate.Jobs, dry.Estimate.Credits, st.Requests, st.Writes)
	if st.Writes != 0 || st.Requests > 2 {
		t.Errorf("dry run made %d writes and %d requests, want 0 writes and ≤ 2 requests", st.Writes, st.Requests)
	}
	if dry.Estimate.Jobs != n || dry.Estimate.Writes != int64(n) {
		t.Errorf("estimate: %d jobs, %d writes; want %d", dry.Estimate.Jobs, dry.Estimate.Writes, n)
	}
	if _, err := os.Stat(e.journal); err == nil {
		t.Errorf("the dry run created the journal %s", e.journal)
	}

	stdout.Reset()
	stderr.Reset()
	c = e.cmd(t, "submit", "--json", file)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("abtop submit: %v\n%s", err, stderr.String())
	}
	st = fetchStats(t, e.url)
	t.Logf("real run: created %d, charged %v", st.JobsCreated, st.CreditsCharged)
	if st.JobsCreated != int64(n) || st.CreditsCharged != dry.Estimate.Credits {
		t.Errorf("sandbox created %d jobs and charged %v credits; the dry run said %d jobs, %v credits", st.JobsCreated, st.CreditsCharged, n, dry.Estimate.Credits)
	}

	// The human form names every model and the total.
	stdout.Reset()
	c = e.cmd(t, "submit", "--dry-run", file)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("abtop submit --dry-run: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"kling-2.6", "tts-1", "flux-dev", "nothing sent"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("dry run text lacks %q:\n%s", want, stdout.String())
		}
	}
	t.Logf("dry run text:\n%s", stdout.String())
}
