package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
	"github.com/abtop-dev/abtop/statusline"
)

// slEnv is a sandbox and a home for the real binary's status line.
type slEnv struct {
	sb    *sandbox.Sandbox
	url   string
	token string
	dir   string
}

func newSLEnv(tb testing.TB) *slEnv {
	tb.Helper()
	sb, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	// Limits high enough for 50 runs of "abtop status" (3 requests each).
	_, tok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: "enterprise", Credits: 1250.5,
		Limits: &sandbox.Limits{Requests: 100000, Points: 100000, Concurrency: 10, DailyWrites: 1000, MonthlyWrites: 5000}})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	tb.Cleanup(srv.Close)
	return &slEnv{sb: sb, url: srv.URL, token: tok, dir: tb.TempDir()}
}

func (e *slEnv) stateDir() string { return filepath.Join(e.dir, "state", "abtop") }

func (e *slEnv) cmd(bin string, args ...string) *exec.Cmd {
	c := exec.Command(bin, args...)
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ABTOP_") && !strings.HasPrefix(kv, "XDG_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "NO_COLOR=") {
			env = append(env, kv)
		}
	}
	c.Env = append(env, "HOME="+e.dir, "XDG_CONFIG_HOME="+filepath.Join(e.dir, "cfg"), "XDG_STATE_HOME="+filepath.Join(e.dir, "state"),
		"ABTOP_BASE_URL="+e.url, "ABTOP_TOKEN="+e.token, "ABTOP_TIMEOUT=2s", "NO_COLOR=1")
	return c
}

func (e *slEnv) run(tb testing.TB, bin string, args ...string) string {
	tb.Helper()
	out, err := e.cmd(bin, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("abtop %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// While the state is fresh no request reaches the API; a stale state
// nobody refreshes costs exactly one; a watched or short one costs none.
func TestStatuslineSpendsNothingWhileFresh(t *testing.T) {
	bin := abtopBinary(t)
	e := newSLEnv(t)
	first := e.run(t, bin, "statusline")
	if n := e.sb.Stats().Requests; n != 1 {
		t.Fatalf("no state yet: %d requests, want 1", n)
	}
	for range 20 {
		if got := e.run(t, bin, "statusline", "--preset", "tmux"); !strings.HasPrefix(got, "ab 99999/100000") {
			t.Fatalf("fresh line %q", got)
		}
	}
	if n := e.sb.Stats().Requests; n != 1 {
		t.Fatalf("20 fresh status lines made %d requests", n-1)
	}
	if !strings.HasPrefix(first, "ab 99999/100000 q0% ¢1250.5") || strings.Contains(first, "stale") {
		t.Fatalf("first line %q", first)
	}

	// Stale, but a watch keeps it fresh: no request, marked stale.
	release, err := statusline.ClaimWatcher(e.stateDir(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.run(t, bin, "statusline", "--max-age", "1ns"); !strings.Contains(got, "(stale)") {
		t.Fatalf("watched stale line %q", got)
	}
	release()
	if n := e.sb.Stats().Requests; n != 1 {
		t.Fatalf("a watched stale line made %d requests", n-1)
	}

	// Stale and unwatched, but the budget is at its reserve until the
	// reset: no request either.
	path, _ := statusline.Path(e.stateDir(), "default")
	st, err := statusline.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	left := int64(3)
	st.Remaining, st.Reset, st.ObservedAt = &left, time.Now().Add(time.Hour), time.Now().Add(-time.Hour)
	if err := statusline.Write(path, st); err != nil {
		t.Fatal(err)
	}
	if got := e.run(t, bin, "statusline"); !strings.Contains(got, "ab 3/100000") || !strings.Contains(got, "(stale)") {
		t.Fatalf("short budget line %q", got)
	}
	if n := e.sb.Stats().Requests; n != 1 {
		t.Fatalf("a short budget made %d requests", n-1)
	}
}

// leanBinaries builds cmd/abtop-statusline twice: beside the abtop that
// abtopBinary built, where it hands over to it, and alone in a directory
// of its own, where a hand-over fails loudly (its PATH is emptied too):
// a test that must see the lean binary answer runs that one.
func leanBinaries(tb testing.TB) (beside, alone string) {
	tb.Helper()
	abtop := abtopBinary(tb)
	leanOnce.Do(func() {
		aloneDir, err := os.MkdirTemp("", "abtop-lean-")
		if err != nil {
			leanErr = err
			return
		}
		for _, dir := range []string{filepath.Dir(abtop), aloneDir} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "abtop-statusline"), "../abtop-statusline").CombinedOutput()
			if err != nil {
				leanErr = fmt.Errorf("go build abtop-statusline: %v\n%s", err, out)
				return
			}
		}
		leanAlone = filepath.Join(aloneDir, "abtop-statusline")
	})
	if leanErr != nil {
		tb.Fatal(leanErr)
	}
	return filepath.Join(filepath.Dir(abtop), "abtop-statusline"), leanAlone
}

var (
	leanOnce  sync.Once
	leanAlone string
	leanErr   error
)

// alone runs bin where no abtop can be found: a hand-over fails.
func (e *slEnv) alone(c *exec.Cmd) *exec.Cmd {
	c.Env = append(c.Env, "PATH="+filepath.Join(e.dir, "no-bin"))
	return c
}

// abtop-statusline prints exactly what "abtop statusline" prints while the
// state is fresh, for every preset and the flags, environment and config
// file settings that choose the profile and the colours, without handing
// over and without a request.
func TestLeanStatuslineMatchesAbtop(t *testing.T) {
	bin := abtopBinary(t)
	_, alone := leanBinaries(t)
	e := newSLEnv(t)
	e.run(t, bin, "statusline") // the default profile's state
	// acme's state: the same organization, saved under another profile.
	def, _ := statusline.Path(e.stateDir(), "default")
	acme, _ := statusline.Path(e.stateDir(), "acme")
	st, err := statusline.Read(def)
	if err != nil {
		t.Fatal(err)
	}
	// A reset in minutes, mid-minute: two runs seconds apart print the
	// same countdown.
	st.Reset = time.Now().Add(2*time.Hour + 30*time.Minute + 30*time.Second)
	if err := statusline.Write(def, st); err != nil {
		t.Fatal(err)
	}
	st.Profile, st.Alerts = "acme", []string{"acme: quota #82% used"}
	if err := statusline.Write(acme, st); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(e.dir, "cfg", "abtop", "config.yaml")
	other := filepath.Join(e.dir, "other.yaml")
	if err := os.WriteFile(other, []byte("default_profile: ACME\nprofiles:\n  acme:\n    no_color: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := e.sb.Stats().Requests
	for _, tc := range []struct {
		name   string
		args   []string
		env    []string // on top of slEnv's (which sets NO_COLOR=1)
		config string   // the default config file's content
		stdin  string
	}{
		{name: "starship", args: nil},
		{name: "tmux", args: []string{"--preset", "tmux"}},
		{name: "tmux colour", args: []string{"--preset=tmux"}, env: []string{"NO_COLOR="}},
		{name: "tmux --no-color", args: []string{"--preset=tmux", "--no-color"}, env: []string{"NO_COLOR="}},
		{name: "agent with JSON", args: []string{"--preset", "agent"}, env: []string{"NO_COLOR="}, stdin: `{"model":{"display_name":"Opus\u001b]0;x\u0007"}}`},
		{name: "agent garbage stdin", args: []string{"--preset", "agent"}, stdin: `{"model":`},
		{name: "format", args: []string{"--format", "{{.profile}} {{.remaining}}/{{.limit}} {{.unit}} {{.stale}} {{style .level}}"}},
		{name: "--profile", args: []string{"--preset", "tmux", "--profile", "ACME"}},
		{name: "ABTOP_PROFILE", args: []string{"--preset", "tmux"}, env: []string{"ABTOP_PROFILE=acme"}},
		{name: "file default_profile", args: []string{"--preset", "tmux"}, config: "default_profile: acme\n"},
		{name: "file no_color", args: []string{"--preset", "tmux"}, env: []string{"NO_COLOR="}, config: "no_color: true\n"},
		{name: "profile no_color beats top", args: []string{"--preset", "tmux", "--profile", "acme"}, env: []string{"NO_COLOR="},
			config: "no_color: false\nprofiles:\n  acme:\n    no_color: true\n"},
		{name: "--config", args: []string{"--preset", "tmux", "--config", other}, env: []string{"NO_COLOR="}},
		// a file YAML rejects (a duplicate key) that the lean scan is sure
		// of: abtop must not fall back to "default" where the lean binary
		// chose the file's profile, nor ignore --profile
		{name: "broken file default_profile", args: []string{"--preset", "tmux"}, config: "default_profile: acme\nkeys:\n  a: 1\n  a: 2\n"},
		{name: "broken file --profile", args: []string{"--preset", "tmux", "--profile", "acme"}, config: "keys:\n  a: 1\n  a: 2\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(cfgFile)
			if tc.config != "" {
				if err := os.MkdirAll(filepath.Dir(cfgFile), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(cfgFile, []byte(tc.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out := func(bin string, args ...string) string {
				c := e.alone(e.cmd(bin, args...))
				c.Env = append(c.Env, tc.env...)
				c.Stdin = strings.NewReader(tc.stdin)
				var stdout, stderr strings.Builder
				c.Stdout, c.Stderr = &stdout, &stderr
				if err := c.Run(); err != nil {
					t.Fatalf("%s %q: %v\n%s", filepath.Base(bin), args, err, stderr.String())
				}
				return stdout.String()
			}
			want := out(bin, append([]string{"statusline"}, tc.args...)...)
			if got := out(alone, tc.args...); got != want {
				t.Errorf("abtop-statusline %q\n got %q\nwant %q", tc.args, got, want)
			}
		})
	}
	if n := e.sb.Stats().Requests - before; n != 0 {
		t.Errorf("fresh status lines made %d requests", n)
	}
}

// What abtop-statusline cannot answer alone it hands over to abtop: a
// missing state costs the one request "abtop statusline" makes, a flag
// only abtop knows works, and abtop's errors reach the caller.
func TestLeanStatuslineHandsOver(t *testing.T) {
	beside, alone := leanBinaries(t)
	e := newSLEnv(t)
	if got := e.run(t, beside, "--preset", "tmux"); !strings.HasPrefix(got, "ab 99999/100000") {
		t.Fatalf("no state yet: %q", got)
	}
	if n := e.sb.Stats().Requests; n != 1 {
		t.Fatalf("no state yet: %d requests, want 1", n)
	}
	if got := e.run(t, beside, "--preset", "tmux", "--base-url", e.url); !strings.HasPrefix(got, "ab 99999/100000") {
		t.Fatalf("a flag only abtop knows: %q", got)
	}
	out, err := e.cmd(beside, "--preset", "i3").CombinedOutput()
	if err == nil || !strings.Contains(string(out), `abtop: statusline: no preset "i3"`) {
		t.Fatalf("abtop's error: %v %q", err, out)
	}
	out, err = e.alone(e.cmd(alone, "--max-age", "1ns")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "cannot find abtop") {
		t.Fatalf("nothing to hand over to: %v %q", err, out)
	}
	if n := e.sb.Stats().Requests; n != 1 {
		t.Fatalf("%d requests, want only the first run's", n)
	}
}

// BenchmarkStatuslineBinary times the real binaries, 50 runs each in the
// same run, as medians of wall and CPU time (user + system): the lean
// abtop-statusline, "abtop statusline" and "abtop status" with a fresh
// state, "abtop version" (starting the full binary, nothing else), and an
// empty Go program (starting any Go program on this machine: the floor).
// The acceptance bar is the lean binary's median of 20 ms with no request.
//
// Wall time on a loaded machine includes waiting for a core. When the
// floor is over 8 ms (quiet, this 2-core VM starts an empty Go program in
// 6.2 ms; with a dozen runnable processes, in 10 to 16), the wall figures say more about the other processes than about
// abtop: the lean binary's CPU median, which waiting does not count, is
// judged against the bar instead, and the log says so. Either way the
// lean binary must beat "abtop statusline" in the same run.
func BenchmarkStatuslineBinary(b *testing.B) {
	bin := abtopBinary(b)
	_, lean := leanBinaries(b)
	empty := emptyGoBinary(b)
	e := newSLEnv(b)
	e.run(b, bin, "statusline") // the state the fresh runs read
	type figure struct{ wall, cpu time.Duration }
	median := func(c func() *exec.Cmd) figure {
		ds, cs := make([]time.Duration, 0, 50), make([]time.Duration, 0, 50)
		for range 50 {
			c := c()
			start := time.Now()
			if out, err := c.CombinedOutput(); err != nil {
				b.Fatalf("%v: %v\n%s", c.Args, err, out)
			}
			ds = append(ds, time.Since(start))
			cs = append(cs, c.ProcessState.UserTime()+c.ProcessState.SystemTime())
		}
		slices.Sort(ds)
		slices.Sort(cs)
		return figure{(ds[24] + ds[25]) / 2, (cs[24] + cs[25]) / 2}
	}
	var sl, full, st, version, floor figure
	before := e.sb.Stats().Requests
	for b.Loop() {
		floor = median(func() *exec.Cmd { return e.cmd(empty) })
		// alone: a hand-over to abtop would fail, not be timed as lean.
		sl = median(func() *exec.Cmd { return e.alone(e.cmd(lean, "--preset", "tmux", "--max-age", "1h")) })
		full = median(func() *exec.Cmd { return e.cmd(bin, "statusline", "--preset", "tmux", "--max-age", "1h") })
		st = median(func() *exec.Cmd { return e.cmd(bin, "status") })
		version = median(func() *exec.Cmd { return e.cmd(bin, "version") })
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, m := range []struct {
		name string
		f    figure
	}{{"lean", sl}, {"statusline", full}, {"status", st}, {"version", version}, {"empty-go", floor}} {
		b.ReportMetric(ms(m.f.wall), m.name+"-median-ms")
		b.ReportMetric(ms(m.f.cpu), m.name+"-cpu-median-ms")
	}
	if n := e.sb.Stats().Requests - before; n != int64(b.N)*50*3 {
		b.Errorf("requests during the runs: %d, want only status's %d", n, b.N*50*3)
	}
	const bar = 20 * time.Millisecond
	switch loaded := floor.wall > 8*time.Millisecond; {
	case !loaded && sl.wall > bar:
		b.Errorf("abtop-statusline median %s (CPU %s): over %s", sl.wall, sl.cpu, bar)
	case loaded && sl.cpu > bar:
		b.Errorf("abtop-statusline CPU median %s: over %s (wall %s; an empty Go program takes %s here)", sl.cpu, bar, sl.wall, floor.wall)
	case loaded:
		b.Logf("loaded machine (an empty Go program takes %s): judged by abtop-statusline's CPU median %s, wall %s", floor.wall, sl.cpu, sl.wall)
	}
	if sl.wall >= full.wall || sl.cpu >= full.cpu {
		b.Errorf("abtop-statusline (%s, CPU %s) is not faster than abtop statusline (%s, CPU %s)", sl.wall, sl.cpu, full.wall, full.cpu)
	}
}

// emptyGoBinary builds "func main() {}": what starting any Go program
// costs on this machine right now.
func emptyGoBinary(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	bin := filepath.Join(dir, "empty")
	c := exec.Command("go", "build", "-o", bin, "main.go")
	c.Dir = dir
	if out, err := c.CombinedOutput(); err != nil {
		tb.Fatalf("go build empty: %v\n%s", err, out)
	}
	return bin
}
