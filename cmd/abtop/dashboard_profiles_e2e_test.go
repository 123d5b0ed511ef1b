package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

// TestDashboardSeveralProfilesE2E: the real binary with --profile work,home
// against two organizations of one sandbox, in tmux: the strip shows each
// profile's own numbers (40 and 10 requests per window), and v switches the
// detailed view's header and gauges from one to the other.
func TestDashboardSeveralProfilesE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("wall-clock end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	bin := abtopBinary(t)
	start := time.Now()
	defer func() { t.Logf("after the build: %v", time.Since(start).Round(time.Millisecond)) }()
	sb, err := sandbox.New(sandbox.Options{Window: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, workTok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: "team", Credits: 500,
		Limits: &sandbox.Limits{Requests: 40, Points: 60, Concurrency: 10, DailyWrites: 1000, MonthlyWrites: 25000}})
	if err != nil {
		t.Fatal(err)
	}
	_, homeTok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: "free", Credits: 7,
		Limits: &sandbox.Limits{Requests: 10, Points: 20, Concurrency: 2, DailyWrites: 100, MonthlyWrites: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfgDir := filepath.Join(dir, "cfg", "abtop")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	file := fmt.Sprintf("profiles:\n  work:\n    base_url: %s\n    token: %s\n  home:\n    base_url: %s\n    token: %s\n",
		srv.URL, workTok, srv.URL, homeTok)
	if err := os.WriteFile(filepath.Join(cfgDir, "config.yaml"), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	env := fmt.Sprintf("env -i PATH=%q HOME=%q XDG_CONFIG_HOME=%q XDG_STATE_HOME=%q TERM=xterm-256color NO_COLOR=1 ABTOP_POLL_INTERVAL=1s",
		os.Getenv("PATH"), dir, filepath.Join(dir, "cfg"), filepath.Join(dir, "state"))
	tm := startTmux(t, "e2e-multi", 120, 32, env+" "+bin+" --profile work,home 2>"+filepath.Join(dir, "stderr")+"; echo ABTOP-EXIT=$?; sleep 60")

	tm.waitFor("both profiles live", 10*time.Second, `▸ work +rate \d+/40`, `\n +home +rate \d+/10`, `profile work`)
	tm.keys("v")
	tm.waitFor("switched", 5*time.Second, `▸ home +rate \d+/10`, `profile home`, `\d+/10 req left`)
	tm.keys("q")
	tm.waitFor("exit", 10*time.Second, `ABTOP-EXIT=0`)
}
