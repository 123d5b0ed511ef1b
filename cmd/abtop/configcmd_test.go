package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/config"
)

// cfgTok is a well-formed token whose body is 48 copies of c.
func cfgTok(c string) string { return "ab_" + strings.Repeat(c, 48) }

// isolateConfig points HOME and XDG dirs at a temp dir and clears ABTOP_*.
func isolateConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "cfg"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	for _, k := range config.EnvNames() {
		t.Setenv(k, "")
	}
	return dir
}

// defaultFile is the config file the commands use (in the isolated dirs).
func defaultFile(t *testing.T) string {
	t.Helper()
	p, err := config.DefaultFile(nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func writeCfg(t *testing.T, body string) string {
	t.Helper()
	p := defaultFile(t)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCmd(t *testing.T, stdin io.Reader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	code = run(context.Background(), args, streams{In: stdin, Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

// TestNoCommandPrintsTheToken runs every config command (and a command
// that loads config) against configs holding bad and good tokens, and greps
// all output for the full token (issue 2 acceptance).
func TestNoCommandPrintsTheToken(t *testing.T) {
	bad := "ab_" + strings.Repeat("S", 40) + "wxyz" // right prefix, 47 characters
	good := cfgTok("G")
	otherBad := "zz_" + strings.Repeat("Q", 48)
	dir := isolateConfig(t)
	writeCfg(t, "token: "+bad+"\nbase_url: http://api.example\nprofiles:\n  other:\n    token: "+otherBad+"\n  good:\n    token: "+good+"\n")
	tokenFile := filepath.Join(dir, "tok")
	if err := os.WriteFile(tokenFile, []byte(bad+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmds := [][]string{
		{"config", "path"},
		{"config", "show"},
		{"config", "show", "--json"},
		{"config", "validate"},
		{"config", "validate", "--json"},
		{"config", "show", "--profile", "other"},
		{"config", "show", "--profile", "good"},
		{"config", "show", "--profile", "good", "--json"},
		{"config", "validate", "--token-file", tokenFile},
		{"config", "show", "--profile", "nope"},
	}
	for _, args := range cmds {
		code, out, errOut := runCmd(t, nil, args...)
		all := out + errOut
		for _, secret := range []string{bad, good, otherBad} {
			if strings.Contains(all, secret) {
				t.Errorf("abtop %s printed a full token:\n%s", strings.Join(args, " "), all)
			}
		}
		if strings.Join(args, " ") == "config validate" {
			if code != 1 || !strings.Contains(out, "token: must be exactly 51 characters (got ab_…wxyz, 47 characters)") ||
				!strings.Contains(out, "base_url: http:// to \"api.example\"") || !strings.Contains(out, "profiles.other.token: must start") {
				t.Errorf("validate: exit %d, want 1 and every problem:\n%s%s", code, out, errOut)
			}
		}
	}
	// The stdin path of set-token with a bad token.
	_, out, errOut := runCmd(t, strings.NewReader(bad+"\n"), "config", "set-token")
	if strings.Contains(out+errOut, bad) {
		t.Errorf("set-token printed the token: %s%s", out, errOut)
	}
}

func TestValidateExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantCode int
		want     string
	}{
		{"valid", "token: " + cfgTok("a") + "\n", 0, "0 error(s), 0 warning(s)"},
		{"warnings alone exit 0", "token: " + cfgTok("a") + "\ncolour: red\n", 0, "warning: "},
		{"errors exit 1", "token: " + cfgTok("a") + "\npoll_interval: 1ms\n", 1, "error: "},
		{"colliding key remap", "token: " + cfgTok("a") + "\nkeys:\n  pause: [\"q\"]\n", 1, `keys.pause: "q" is already quit's key`},
		{"unknown key action", "token: " + cfgTok("a") + "\nkeys:\n  paws: [\"z\"]\n", 1, "keys.paws: unknown action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateConfig(t)
			writeCfg(t, tt.body)
			code, out, errOut := runCmd(t, nil, "config", "validate")
			if code != tt.wantCode || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d; output:\n%s%s", code, tt.wantCode, out, errOut)
			}
		})
	}
}

func TestSetTokenFromStdin(t *testing.T) {
	isolateConfig(t)
	p := defaultFile(t)
	code, out, errOut := runCmd(t, strings.NewReader(cfgTok("n")+"\n"), "config", "set-token", "--profile", "acme")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if want := "saved token ab_…nnnn for profile acme in " + p; !strings.Contains(out, want) {
		t.Errorf("got %q, want %q", out, want)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("file %v mode %v, want 0600", err, st)
	}
	code, out, _ = runCmd(t, nil, "config", "show", "--profile", "acme", "--json")
	var shown struct {
		Values map[string]struct {
			Value  any
			Source string
		}
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil || code != 0 {
		t.Fatalf("show: exit %d, %v: %s", code, err, out)
	}
	if v := shown.Values["token"]; v.Value != "ab_…nnnn" || v.Source != "file" {
		t.Errorf("token shown as %+v", v)
	}
}

func TestSetTokenRejectsBadInput(t *testing.T) {
	tests := []struct{ name, stdin, want string }{
		{"empty", "", "no token on stdin"},
		{"two lines", cfgTok("a") + "\n" + cfgTok("b") + "\n", "more than one line"},
		{"malformed", "ab_123\n", `must be exactly 51 characters (got ab_…, 6 characters); nothing written`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateConfig(t)
			code, _, errOut := runCmd(t, strings.NewReader(tt.stdin), "config", "set-token")
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errOut, tt.want)
			}
			p := defaultFile(t)
			if _, err := os.Stat(p); err == nil {
				t.Error("config file written despite bad input")
			}
		})
	}
}

func TestConfigPath(t *testing.T) {
	dir := isolateConfig(t)
	p := defaultFile(t)
	_, out, _ := runCmd(t, nil, "config", "path")
	if !strings.HasPrefix(out, p+" (does not exist") {
		t.Errorf("got %q", out)
	}
	writeCfg(t, "")
	_, out, _ = runCmd(t, nil, "config", "path")
	if out != p+" (exists, mode 0600)\n" {
		t.Errorf("got %q", out)
	}
	other := filepath.Join(dir, "x.yaml")
	_, out, _ = runCmd(t, nil, "config", "path", "--config", other)
	if !strings.HasPrefix(out, other+" (does not exist") || !strings.Contains(out, "from --config") {
		t.Errorf("got %q", out)
	}
}

// TestShowSources: show names the source of each value, flag > env > file.
func TestShowSources(t *testing.T) {
	isolateConfig(t)
	p := writeCfg(t, "token: "+cfgTok("f")+"\npoll_interval: 7s\ntimeout: 9s\n")
	t.Setenv("ABTOP_POLL_INTERVAL", "8s")
	code, out, errOut := runCmd(t, nil, "config", "show", "--base-url", "https://flag.example")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 3 {
			rows[f[0]] = strings.Join(f[1:], " ")
		}
	}
	for key, want := range map[string]string{
		"base_url":            "https://flag.example flag --base-url",
		"poll_interval":       "8s env ABTOP_POLL_INTERVAL",
		"timeout":             "9s file " + p + ": timeout",
		"token":               "ab_…ffff file " + p + ": token",
		"allow_insecure_http": "false default",
	} {
		if rows[key] != want {
			t.Errorf("%s: got %q, want %q", key, rows[key], want)
		}
	}
}

// TestLoadConfigCachesAndWarns: loadConfig loads once and prints warnings.
func TestLoadConfigCachesAndWarns(t *testing.T) {
	isolateConfig(t)
	p := writeCfg(t, "token: "+cfgTok("c")+"\nbogus: 1\n")
	var errb bytes.Buffer
	a := newTestApp(&errb)
	cfg, err := a.loadConfig()
	if err != nil || cfg.Token != cfgTok("c") || cfg.File != p {
		t.Fatalf("loadConfig: %v %v", err, cfg)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if cfg2, err := a.loadConfig(); err != nil || cfg2.Token != cfg.Token {
		t.Errorf("second call reloaded: %v", err)
	}
	if n := strings.Count(errb.String(), "warning:"); n != 1 || !strings.Contains(errb.String(), "bogus: unknown key") {
		t.Errorf("warnings printed %d times: %s", n, errb.String())
	}
}

func TestSandboxFlagUsesSandbox(t *testing.T) {
	isolateConfig(t)
	var errb bytes.Buffer
	a := newTestApp(&errb)
	a.v.Set("sandbox", true)
	defer a.cleanup()
	cfg, err := a.loadConfig()
	if err != nil {
		t.Fatalf("loadConfig with --sandbox and no token configured: %v", err)
	}
	if cfg.TokenSource != config.SourceSandbox || !strings.HasPrefix(cfg.BaseURL, "http://127.0.0.1") {
		t.Errorf("token from %s, base URL %s; want the sandbox's, on loopback", cfg.TokenSource, cfg.BaseURL)
	}
}

func newTestApp(errOut io.Writer) *app {
	return newApp(streams{In: strings.NewReader(""), Out: io.Discard, Err: errOut})
}

// TestBoolFlagsReachConfig: a bool flag given on the command line is a
// flag-sourced value; one not given stays at its lower-precedence source.
func TestBoolFlagsReachConfig(t *testing.T) {
	isolateConfig(t)
	writeCfg(t, "token: "+cfgTok("b")+"\n")
	t.Setenv("NO_COLOR", "")
	_, out, errOut := runCmd(t, nil, "config", "show", "--json", "--no-color")
	var shown struct {
		Values map[string]struct {
			Value  any
			Source string
		}
	}
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		t.Fatalf("%v: %s%s", err, out, errOut)
	}
	if v := shown.Values["no_color"]; v.Value != true || v.Source != "flag" {
		t.Errorf("no_color %+v", v)
	}
	if v := shown.Values["base_url"]; v.Source != "default" {
		t.Errorf("base_url %+v: an unset flag must not count", v)
	}
}

// abtop with no token at all says how to get going: the sandbox needs no
// token, set-token saves one.
func TestNoTokenSuggestsSandboxAndSetToken(t *testing.T) {
	isolateConfig(t)
	code, out, errOut := runCmd(t, nil)
	if code == 0 || !strings.Contains(errOut, "abtop --sandbox") || !strings.Contains(errOut, "abtop config set-token") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}
