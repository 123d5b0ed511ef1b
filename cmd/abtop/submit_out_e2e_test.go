package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/sandbox"
)

// "submit --out" against a sandbox whose file host faults 10 % of
// downloads: exit 0 once every job is final and every file verified, one
// manifest line per input line in order; then "results" re-downloads the
// batch from the journal into another directory.
func TestSubmitOutE2E(t *testing.T) {
	t.Parallel() // counts, not timing: runs beside the others once the timing-sensitive tests are done
	n := e2eSize(t, 8, 20, 200)
	faults, _ := sandbox.ParseFaults("file_cut=0.04,file_503=0.03,file_expired=0.03")
	e := newE2E(t, sandbox.Options{Window: 2 * time.Second, Seed: 11, JobTimeScale: 0.01, Faults: faults}, n)
	dir := filepath.Join(e.dir, "out")
	var stdout, stderr bytes.Buffer
	c := e.cmd(t, "submit", "--json", "--out", dir, e.jobs)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("abtop submit --out: %v\n%s", err, stderr.String())
	}
	s := e.summary(t, stdout.Bytes())
	if s.Results == nil || s.Results.Files != n || s.Results.ByStatus["succeeded"] != n || s.Results.Lines != n {
		t.Fatalf("summary %+v results %+v\n%s", s, s.Results, stderr.String())
	}
	checkOut(t, dir, n)
	if st := e.sb.Stats(); st.DuplicateJobs != 0 || st.TooManyRequests != 0 || st.FileRequestsWithAuthorization != 0 {
		t.Errorf("duplicates %d, 429s %d, file requests with a token %d", st.DuplicateJobs, st.TooManyRequests, st.FileRequestsWithAuthorization)
	}

	dir2 := filepath.Join(e.dir, "again")
	stdout.Reset()
	stderr.Reset()
	c = e.cmd(t, "results", "--json") // the directory from out: (ABTOP_OUT)
	c.Env = append(c.Env, "ABTOP_OUT="+dir2)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("abtop results: %v\n%s", err, stderr.String())
	}
	var rs results.Summary
	if err := json.Unmarshal(stdout.Bytes(), &rs); err != nil || rs.Files != n {
		t.Fatalf("results summary %s: %v", stdout.String(), err)
	}
	checkOut(t, dir2, n)

	// A bad template is refused before anything is sent.
	c = e.cmd(t, "submit", "--out", dir, "--name", "../{{.N}}", e.jobs)
	out, err := c.CombinedOutput()
	var ee *exec.ExitError
	if err == nil || !strings.Contains(string(out), "output directory") || !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("--name ../: %v\n%s", err, out)
	}
}

// checkOut: n manifest lines in input order, each file whole.
func checkOut(t *testing.T, dir string, n int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, results.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d manifest lines, want %d", len(lines), n)
	}
	for i, l := range lines {
		var e results.Entry
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Line != i+1 || e.Status != "succeeded" || len(e.Outputs) != 1 {
			t.Fatalf("manifest line %d: %v %s", i+1, err, l)
		}
		if e.CreatedAt == nil || e.FinishedAt == nil || e.CreatedAt.After(*e.FinishedAt) {
			t.Errorf("manifest line %d: created_at %v, finished_at %v; want the server's times", i+1, e.CreatedAt, e.FinishedAt)
		}
		o := e.Outputs[0]
		b, err := os.ReadFile(filepath.Join(dir, o.Path))
		sum := sha256.Sum256(b)
		if err != nil || int64(len(b)) != o.Bytes || hex.EncodeToString(sum[:]) != o.SHA256 || !o.Verified {
			t.Errorf("%s: %v, %d bytes", o.Path, err, len(b))
		}
	}
}

// Webhook mode: the binary serves the receiver, the sandbox delivers each
// job's end (some twice); the batch completes with few list reads, every
// file on disk.
func TestSubmitWebhookE2E(t *testing.T) {
	t.Parallel() // counts, not timing: runs beside the others once the timing-sensitive tests are done
	n := e2eSize(t, 8, 20, 100)
	faults, _ := sandbox.ParseFaults("hook_dup=0.2")
	e := newE2E(t, sandbox.Options{Window: 2 * time.Second, Seed: 12, JobTimeScale: 0.01, Faults: faults}, n)
	defer e.sb.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := filepath.Join(e.dir, "out")
	var stdout, stderr bytes.Buffer
	c := e.cmd(t, "submit", "--json", "--out", dir, "--webhook-url", "http://"+addr+"/hook", "--webhook-listen", addr, e.jobs)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("abtop submit --webhook-url: %v\n%s", err, stderr.String())
	}
	checkOut(t, dir, n)
	st := e.sb.Stats()
	t.Logf("%d jobs: webhooks sent %d, faults %v, list reads %d, get reads %d\n%s", n, st.WebhooksSent, st.Faults, st.ListReads, st.GetReads, stderr.String())
	if st.WebhooksSent < int64(n) || st.ListReads > 5 {
		t.Errorf("%d webhooks answered 2xx (want ≥ %d), %d list reads (want ≤ 5)", st.WebhooksSent, n, st.ListReads)
	}
}
