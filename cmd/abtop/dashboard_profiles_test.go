package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDashboardProfilesFromFlags: --profile a,b and --all-profiles choose
// the dashboard's profiles, the first being the one shown first (without
// a terminal, the first summary); a profile that does not load
// is named; the two flags together, or with --sandbox, are refused.
func TestDashboardProfilesFromFlags(t *testing.T) {
	team, free, cfgDir := twoPlanServers(t)
	file := fmt.Sprintf("profiles:\n  work:\n    base_url: %s\n  home:\n    base_url: %s\n", team.URL, free.URL)
	if err := os.WriteFile(filepath.Join(cfgDir, "config.yaml"), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args     []string
		code     int
		want     string
		wantNot  string
		inStderr bool
	}{
		{args: []string{"--profile", "home,work"}, want: "profile home"},
		{args: []string{"--profile", "work,home"}, want: "profile work"},
		{args: []string{"--all-profiles"}, want: "plan"},
		{args: []string{"--profile", "work,nosuch"}, code: 1, want: "profile nosuch", inStderr: true},
		{args: []string{"--all-profiles", "--profile", "work"}, code: 1, want: "give one of them", inStderr: true},
		{args: []string{"--sandbox", "--profile", "work,home"}, code: 1, want: "--sandbox", inStderr: true},
		{args: []string{"--journal", "/tmp/one.db", "--profile", "work,home"}, code: 1, want: "both use the journal /tmp/one.db", inStderr: true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := stRun(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			got := out
			if tc.inStderr {
				got = errOut
			}
			if !strings.Contains(got, tc.want) || (tc.wantNot != "" && strings.Contains(got, tc.wantNot)) {
				t.Errorf("want %q (and not %q) in:\n%s", tc.want, tc.wantNot, got)
			}
		})
	}
}

// TestDashboardWithoutTerminalPrintsEveryProfile: without a terminal,
// --profile a,b and --all-profiles print each profile's summary (what
// "abtop status" prints for it, headed by its name), in the order given,
// not the first one's alone.
func TestDashboardWithoutTerminalPrintsEveryProfile(t *testing.T) {
	team, free, cfgDir := twoPlanServers(t)
	gone := httptest.NewServer(&stAPI{reset: "30", plan: "team"})
	gone.Close() // a profile whose server does not answer
	file := fmt.Sprintf("profiles:\n  work:\n    base_url: %s\n  home:\n    base_url: %s\n  gone:\n    base_url: %s\n", team.URL, free.URL, gone.URL)
	if err := os.WriteFile(filepath.Join(cfgDir, "config.yaml"), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	// a profile whose summary fails does not hide the next one's
	code, out, errOut := stRun(t, "", "--profile", "gone,home")
	if code == 0 || !strings.Contains(errOut, "profile gone") || !strings.Contains(out, "profile home · token") || !strings.Contains(out, "free") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, tc := range []struct {
		code  int
		args  []string
		order []string
	}{
		{0, []string{"--profile", "home,work"}, []string{"── profile home ──\nabtop status", "profile home · token", "free", "── profile work ──", "profile work · token", "team"}},
		{0, []string{"--profile", "work,home"}, []string{"profile work · token", "team", "profile home · token", "free"}},
		{1, []string{"--all-profiles"}, []string{"── profile gone ──\n\n── profile home ──\nabtop status", "profile home · token", "── profile work ──", "profile work · token"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := stRun(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			if !strings.Contains(errOut, "not a terminal") {
				t.Errorf("stderr does not say why: %q", errOut)
			}
			rest := out
			for _, w := range tc.order {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("%q missing, or out of order, in:\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// twoPlanServers starts a team and a free organization's fake API for the
// test and returns them with the config directory of a fresh environment
// (no base URL from the environment: each profile names its own).
func twoPlanServers(t *testing.T) (team, free *httptest.Server, cfgDir string) {
	t.Helper()
	team = httptest.NewServer(&stAPI{reset: "30", plan: "team"})
	t.Cleanup(team.Close)
	free = httptest.NewServer(&stAPI{reset: "30", plan: "free"})
	t.Cleanup(free.Close)
	stEnv(t, "")
	t.Setenv("ABTOP_BASE_URL", "")
	cfgDir = filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "abtop")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	return team, free, cfgDir
}
