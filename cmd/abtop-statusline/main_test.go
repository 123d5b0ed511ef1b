package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The point of this binary is its start-up time: a status line runs every
// few seconds in every pane and prompt. These packages each cost
// milliseconds of init and page faults (measured with
// GODEBUG=inittrace=1); whoever adds one must move it out of the lean path.
func TestLeanImports(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool: %v", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	// A package, or with a trailing slash every package under a path.
	banned := []string{"net/http", "net", "crypto/tls", "log/slog", "github.com/spf13/", "github.com/charmbracelet/",
		"charm.land/", "github.com/prometheus/", "github.com/abtop-dev/abtop/apiclient", "github.com/abtop-dev/abtop/apiclient/",
		"github.com/abtop-dev/abtop/config", "github.com/russross/", "github.com/redis/", "go.etcd.io/",
		"go.yaml.in/", "gopkg.in/", "regexp"} // YAML's init compiles regexps: ~2 ms of ~9 (confpath.ReadSettings)
	for _, dep := range strings.Fields(string(out)) {
		for _, b := range banned {
			if dep == b || strings.HasSuffix(b, "/") && strings.HasPrefix(dep, b) {
				t.Errorf("abtop-statusline links %s", dep)
			}
		}
	}
}

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		argv    []string
		ok      bool
		preset  string
		format  string
		maxAge  time.Duration
		profile string
		config  string
		noColor string // "" not given, else the value given
	}{
		{nil, true, "starship", "", time.Minute, "", "", ""},
		{[]string{"--preset", "tmux", "--max-age=1h"}, true, "tmux", "", time.Hour, "", "", ""},
		{[]string{"--format", "--x {{.remaining}}", "--profile=Acme", "--config", "~/c.yaml"}, true, "starship", "--x {{.remaining}}", time.Minute, "Acme", "~/c.yaml", ""},
		{[]string{"--no-color", "--preset", "agent"}, true, "agent", "", time.Minute, "", "", "true"},
		{[]string{"--no-color=false"}, true, "starship", "", time.Minute, "", "", "false"},
		{[]string{"--preset", "tmux", "--preset", "agent"}, true, "agent", "", time.Minute, "", "", ""}, // last wins, as in cobra
		// abtop answers these: its help, its errors, flags only it knows.
		{[]string{"-h"}, false, "", "", 0, "", "", ""},
		{[]string{"--help"}, false, "", "", 0, "", "", ""},
		{[]string{"-preset", "tmux"}, false, "", "", 0, "", "", ""},
		{[]string{"--preset"}, false, "", "", 0, "", "", ""},
		{[]string{"--max-age", "soon"}, false, "", "", 0, "", "", ""},
		{[]string{"--no-color", "false"}, false, "", "", 0, "", "", ""},
		{[]string{"--sandbox"}, false, "", "", 0, "", "", ""},
		{[]string{"--base-url=http://x"}, false, "", "", 0, "", "", ""},
		{[]string{"--", "--preset"}, false, "", "", 0, "", "", ""},
		{[]string{"extra"}, false, "", "", 0, "", "", ""},
	} {
		a, ok := parseArgs(tc.argv)
		if ok != tc.ok {
			t.Errorf("%q: ok %v, want %v", tc.argv, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		noColor := ""
		if a.noColorSet {
			noColor = map[bool]string{true: "true", false: "false"}[a.noColorFlag]
		}
		if a.Preset != tc.preset || a.Format != tc.format || a.MaxAge != tc.maxAge || a.profile != tc.profile || a.config != tc.config || noColor != tc.noColor {
			t.Errorf("%q: got %+v", tc.argv, a)
		}
	}
}

// What answer leaves to abtop: no state, a state due for a refresh, a
// config file it cannot judge, a template that does not parse.
func TestAnswerHandsOver(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HOME": dir, "XDG_STATE_HOME": filepath.Join(dir, "state"), "XDG_CONFIG_HOME": filepath.Join(dir, "cfg")}
	getenv := func(k string) string { return env[k] }
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	state := filepath.Join(dir, "state", "abtop", "statusline-default.json")
	write := func(path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if _, ok, _ := answer(nil, stdin, getenv, clock); ok {
		t.Fatal("answered without a state")
	}
	write(state, `{"version":1,"profile":"default","observed_at":"2026-11-30T11:59:30Z","limit":60,"remaining":30}`)
	if line, ok, _ := answer([]string{"--preset", "tmux"}, stdin, getenv, clock); !ok || line != "#[fg=green]ab 30/60#[default]\n" {
		t.Fatalf("fresh state: %q %v", line, ok)
	}
	for name, argv := range map[string][]string{
		"due for a refresh": {"--max-age", "10s"},
		"bad template":      {"--format", "{{.remaining"},
		"unknown preset":    {"--preset", "i3"},
		"max-age zero":      {"--max-age", "0s"},
		"bad profile name":  {"--profile", "../x"},
		"missing --config":  {"--config", filepath.Join(dir, "none.yaml")},
	} {
		if line, ok, err := answer(argv, stdin, getenv, clock); ok || err != nil {
			t.Errorf("%s: answered %q, %v", name, line, err)
		}
	}
	// stdin read for the agent preset: abtop would get none, so a failure
	// after it is said here, not handed over
	piped := filepath.Join(dir, "stdin.json")
	write(piped, `{"a":1}`)
	in, err := os.Open(piped)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if line, ok, err := answer([]string{"--preset", "agent", "--format", "{{if .input}}{{len 3}}{{end}}"}, in, getenv, clock); ok || err == nil {
		t.Errorf("render error after reading stdin: %q %v %v, want an error", line, ok, err)
	}
	write(filepath.Join(dir, "cfg", "abtop", "config.yaml"), "default_profile: [a, b]\n")
	if line, ok, _ := answer(nil, stdin, getenv, clock); ok {
		t.Errorf("config file with a bad default_profile: answered %q", line)
	}
}
