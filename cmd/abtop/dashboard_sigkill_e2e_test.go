package main

import (
	"bytes"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/internal/syncbuf"
	"github.com/abtop-dev/abtop/sandbox"
)

// Issue 13: SIGKILL of the dashboard while a submit on the same machine
// shares the budget with it leaves the submit at the full budget within a
// few seconds (TestTimingE2E/SubmitE2ELocalSigkill kills the other side: a submit).
func testDashboardSigkillLeavesTheSubmitTheBudgetE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("wall-clock end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	n := e2eSize(t, 120, 120, 300)
	reqs := &requestLog{}
	e := newE2E(t, sandbox.Options{Window: 2 * time.Second, Seed: 29, JobTimeScale: 0.01, Logger: slog.New(reqs)}, n)
	var stdout bytes.Buffer
	stderr := &syncbuf.Buffer{}
	sub := e.cmd(t, "submit", "--json", "--no-wait", e.jobs)
	sub.Stdout, sub.Stderr = &stdout, stderr

	// the dashboard first, on its own journal (it runs a queue of its own
	// and polls), then the submit beside it
	env := append([]string(nil), sub.Env...)
	for i, kv := range env {
		if strings.HasPrefix(kv, "ABTOP_JOURNAL=") {
			env[i] = "ABTOP_JOURNAL=" + filepath.Join(e.dir, "dashboard.db")
		}
	}
	env = append(env, "ABTOP_POLL_INTERVAL=1s") // the header counts the processes sharing at each poll
	tm := startTmux(t, "e2e-kill", 120, 30, envCommand(env)+abtopBinary(t)+"; sleep 60")
	tm.waitFor("the dashboard up", 10*time.Second, `● live`)

	if err := sub.Start(); err != nil {
		t.Fatal(err)
	}
	subDone := make(chan error, 1)
	go func() { subDone <- sub.Wait() }()
	t.Cleanup(func() { _ = sub.Process.Kill() })
	tm.waitFor("the two sharing the budget", 10*time.Second, `shared locally · 2 processes`)

	// SIGKILL the dashboard: the pane's shell runs it (env execs abtop)
	shell := strings.TrimSpace(tm.run("list-panes", "-t", "abtop", "-F", "#{pane_pid}"))
	out, err := exec.Command("pgrep", "-P", shell).Output()
	if err != nil {
		t.Fatalf("pgrep -P %s: %v", shell, err)
	}
	pid, err := strconv.Atoi(strings.Fields(string(out))[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()

	select {
	case err := <-subDone:
		if err != nil {
			t.Fatalf("abtop submit: %v\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("abtop submit did not finish; stderr:\n%s", stderr.String())
	}
	s := e.summary(t, stdout.Bytes())
	st := fetchStats(t, e.url)
	full := reqs.fullWindowsAfter(killed.Add(2*time.Second), 2*time.Second)
	t.Logf("submit: %+v; sandbox: created %d, 429s %d, violations %d; whole windows after the kill %v (all %v)",
		s, st.JobsCreated, st.TooManyRequests, st.RetryAfterViolations, full, reqs.perWindow(2*time.Second))
	if s.Submitted != n || st.DuplicateJobs != 0 {
		t.Errorf("submitted %d (want %d), duplicates %d", s.Submitted, n, st.DuplicateJobs)
	}
	if st.TooManyRequests != 0 || st.RetryAfterViolations != 0 {
		t.Errorf("429s %d, violations %d; want 0", st.TooManyRequests, st.RetryAfterViolations)
	}
	if len(full) == 0 {
		t.Errorf("no whole window between the kill and the batch's end (all %v): nothing measured", reqs.perWindow(2*time.Second))
	}
	for i, got := range full {
		if got < 19 {
			t.Errorf("window %d after the kill accepted %d requests, want ≥ 19 (all %v)", i, got, full)
		}
	}
}
