package main

// End-to-end test of the dashboard: the real binary in a real terminal
// (tmux gives a pseudo-terminal and a screen we can read back, which a raw
// pty stream of Bubble Tea's incremental redraws is not), against a sandbox
// served by this test process.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

type tmuxTerm struct {
	t    *testing.T
	sock string
}

func (tm *tmuxTerm) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// startTmux runs command in a detached tmux session "abtop" of w×h cells
// on a tmux server of the test's own (name), killed when the test ends.
func startTmux(t *testing.T, name string, w, h int, command string) *tmuxTerm {
	t.Helper()
	tm := &tmuxTerm{t: t, sock: fmt.Sprintf("abtop-%s-%d", name, os.Getpid())}
	tm.run("new-session", "-d", "-s", "abtop", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), command)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.sock, "kill-server").Run() })
	return tm
}

// envCommand is an `env -i` prefix giving a command in tmux exactly env
// and a TERM, each quoted for the shell.
func envCommand(env []string) string {
	var b strings.Builder
	b.WriteString("env -i TERM=xterm-256color ")
	for _, kv := range env {
		fmt.Fprintf(&b, "%q ", kv)
	}
	return b.String()
}

func (tm *tmuxTerm) screen() string { return tm.run("capture-pane", "-p", "-t", "abtop") }

func (tm *tmuxTerm) keys(k ...string) { tm.run(append([]string{"send-keys", "-t", "abtop"}, k...)...) }

// waitFor polls the screen until every pattern matches.
func (tm *tmuxTerm) waitFor(what string, d time.Duration, patterns ...string) string {
	tm.t.Helper()
	s, ok := tm.matches(d, patterns...)
	if !ok {
		tm.t.Fatalf("%s: screen never matched %q within %v:\n%s", what, patterns, d, s)
	}
	return s
}

// matches polls the screen (every 25 ms: a poll, not a sleep that hopes the
// screen is ready) for up to d until every pattern matches; it returns the
// last screen.
func (tm *tmuxTerm) matches(d time.Duration, patterns ...string) (string, bool) {
	tm.t.Helper()
	res := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		res[i] = regexp.MustCompile(p)
	}
	var s string
	for deadline := time.Now().Add(d); ; {
		s = tm.screen()
		ok := true
		for _, re := range res {
			ok = ok && re.MatchString(s)
		}
		if ok {
			return s, true
		}
		if time.Now().After(deadline) {
			return s, false
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// exhaustWindow spends the rest of the current rate window with direct
// requests; it reports whether the last one was a 429.
func exhaustWindow(t *testing.T, base, tok string) bool {
	for range 100 {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/balance", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			return true
		}
	}
	return false
}

func TestDashboardE2E(t *testing.T) {
	t.Parallel() // counts, not timing: runs beside the others once the timing-sensitive tests are done
	if testing.Short() {
		t.Skip("wall-clock end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	bin := abtopBinary(t)
	sb, err := sandbox.New(sandbox.Options{Window: 2 * time.Second, JobTimeScale: 0.05, StartDelay: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	org, tok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: "team", Credits: 500,
		Limits: &sandbox.Limits{Requests: 40, Points: 60, Concurrency: 1000, DailyWrites: 100000, MonthlyWrites: 25000}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	var jobs strings.Builder
	for i := range 50 {
		fmt.Fprintf(&jobs, `{"model":"flux-schnell","input":{"prompt":"dashboard e2e %d"}}`+"\n", i)
	}
	file := filepath.Join(dir, "jobs.jsonl")
	if err := os.WriteFile(file, []byte(jobs.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := fmt.Sprintf("env -i PATH=%q HOME=%q XDG_CONFIG_HOME=%q XDG_STATE_HOME=%q TERM=xterm-256color NO_COLOR=1 "+
		"ABTOP_BASE_URL=%q ABTOP_TOKEN=%q ABTOP_JOURNAL=%q ABTOP_POLL_INTERVAL=1s",
		os.Getenv("PATH"), dir, filepath.Join(dir, "cfg"), filepath.Join(dir, "state"), srv.URL, tok, filepath.Join(dir, "queue.db"))
	tm := startTmux(t, "e2e", 100, 30, env+" "+bin+" 2>"+filepath.Join(dir, "stderr")+"; echo ABTOP-EXIT=$?; sleep 60")

	// the gauges show the sandbox's numbers (40 requests per window) and update
	tm.waitFor("first data", 10*time.Second, `\d+/40 req left`, `25,000/25,000 left`, `● live`)
	tm.waitFor("polls continue", 10*time.Second, `dashboard polls: [2-9]\d* req/min`)

	// load the 50-job file with o and watch it complete
	tm.keys("o")
	tm.waitFor("open prompt", 5*time.Second, `Load a JSONL file`)
	tm.keys(file, "Enter")
	// the first enter estimates (two reads, nothing sent), the second queues
	tm.waitFor("estimate", 10*time.Second, `Estimate`, `Dry run: 50 jobs · 50 credits`, `enter queue these jobs`)
	tm.keys("Enter")
	tm.waitFor("batch done", 60*time.Second, `✓ 50 succeeded · 0 to go of 50`, `100%`, `✓ done`)

	// a forced 429: another client with the same token spends the whole
	// window behind abtop's back, then abtop refreshes; the scheduler still
	// believes budget is left, so the server answers 429
	tm.keys("l")
	deadline := time.Now().Add(30 * time.Second)
	for seen := false; !seen && time.Now().Before(deadline); {
		for !exhaustWindow(t, srv.URL, tok) { //nolint:revive // spin until a request is refused; exhaustWindow does the work
		}
		tm.keys("R")
		_, seen = tm.matches(time.Second, `→ 429`)
	}
	tm.waitFor("429 shown", 5*time.Second, `→ 429`, `Rate limit (per \S+ )?✖ critical`)
	tm.keys("l")

	// a forced 402: the balance drops to zero behind abtop's back, then a job is added
	if err := sb.SetCredits(org, 0); err != nil {
		t.Fatal(err)
	}
	tm.keys("a")
	tm.waitFor("add form", 10*time.Second, `● flux-schnell`)
	tm.keys("Enter", "a lighthouse", "Enter", "Enter")
	s := tm.waitFor("402 shown", 30*time.Second, `insufficient_credits|credits: not enough|paused: credits`)
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "credits") {
			t.Log(strings.TrimSpace(l))
		}
	}

	// q asks once (a job is unfinished), q again quits and restores the terminal
	tm.keys("q")
	tm.waitFor("quit question", 5*time.Second, `unfinished`)
	tm.keys("q")
	s = tm.waitFor("exit", 10*time.Second, `ABTOP-EXIT=0`)
	if strings.Contains(s, "Rate limit") || strings.Contains(s, "╭") {
		t.Fatalf("the dashboard is still on screen after exit (alt screen not left):\n%s", s)
	}
}
