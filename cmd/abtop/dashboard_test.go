package main

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// Without a terminal, "abtop" must not start a full-screen program: it
// prints the one-shot status summary and says why on stderr.
func TestDashboardWithoutTerminalPrintsSummary(t *testing.T) {
	srv := httptest.NewServer(&stAPI{reset: "30", plan: "team"})
	defer srv.Close()
	stEnv(t, srv.URL)
	code, out, errOut := stRun(t, "")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "not a terminal") {
		t.Errorf("stderr does not say why: %q", errOut)
	}
	if !strings.Contains(out, "41/60") || strings.Contains(out, "\x1b[?1049h") {
		t.Errorf("stdout is not the plain summary:\n%q", out)
	}
}
