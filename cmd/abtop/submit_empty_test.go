package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An empty file (or one of blank lines) says it has no jobs, exits
// non-zero and sends nothing.
func TestSubmitEmptyFileSendsNothing(t *testing.T) {
	isolateConfig(t)
	sb := startOwnerSandbox(t)
	t.Setenv("ABTOP_BASE_URL", sb.url)
	t.Setenv("ABTOP_TOKEN", sb.token)
	t.Setenv("ABTOP_JOURNAL", filepath.Join(t.TempDir(), "q.db"))
	for _, body := range []string{"", "\n\n  \n"} {
		f := filepath.Join(t.TempDir(), "empty.jsonl")
		os.WriteFile(f, []byte(body), 0o600)
		code, out, errOut := runCmd(t, nil, "submit", f)
		if code == 0 || !strings.Contains(errOut, "has no jobs") || sb.sb.Stats().JobsCreated != 0 {
			t.Errorf("file %q: exit %d, created %d\n%s%s", body, code, sb.sb.Stats().JobsCreated, out, errOut)
		}
	}
}
