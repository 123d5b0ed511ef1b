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

// The same file submitted twice warns that these exact jobs were already
// submitted, sends nothing, and wants --again.
func TestSubmitSameFileTwiceWantsAgain(t *testing.T) {
	isolateConfig(t)
	sb := startOwnerSandbox(t)
	t.Setenv("ABTOP_BASE_URL", sb.url)
	t.Setenv("ABTOP_TOKEN", sb.token)
	t.Setenv("ABTOP_JOURNAL", filepath.Join(t.TempDir(), "q.db"))
	f := filepath.Join(t.TempDir(), "jobs.jsonl")
	os.WriteFile(f, []byte(`{"model":"flux-schnell","input":{"prompt":"a"}}`+"\n"+`{"model":"flux-schnell","input":{"prompt":"b"}}`+"\n"), 0o600)
	if code, out, errOut := runCmd(t, nil, "submit", f); code != 0 {
		t.Fatalf("first submit: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, nil, "submit", f)
	if code == 0 || !strings.Contains(errOut, "2 of the 2 job(s)") || !strings.Contains(errOut, "--again") || sb.sb.Stats().JobsCreated != 2 {
		t.Fatalf("second submit: exit %d, created %d\n%s%s", code, sb.sb.Stats().JobsCreated, out, errOut)
	}
	if code, out, errOut := runCmd(t, nil, "submit", "--again", f); code != 0 || sb.sb.Stats().JobsCreated != 4 {
		t.Fatalf("--again: exit %d, created %d\n%s%s", code, sb.sb.Stats().JobsCreated, out, errOut)
	}
}

// A FILE that cannot be opened is a clear error, with or without
// --dry-run, and nothing is sent.
func TestSubmitMissingFile(t *testing.T) {
	isolateConfig(t)
	sb := startOwnerSandbox(t)
	t.Setenv("ABTOP_BASE_URL", sb.url)
	t.Setenv("ABTOP_TOKEN", sb.token)
	t.Setenv("ABTOP_JOURNAL", filepath.Join(t.TempDir(), "q.db"))
	missing := filepath.Join(t.TempDir(), "missing.jsonl")
	for _, args := range [][]string{{"submit", missing}, {"submit", "--dry-run", missing}} {
		code, out, errOut := runCmd(t, nil, args...)
		if code == 0 || !strings.Contains(errOut, "submit: open "+missing+": no such file") || sb.sb.Stats().JobsCreated != 0 {
			t.Errorf("%q: exit %d, created %d\n%s%s", args, code, sb.sb.Stats().JobsCreated, out, errOut)
		}
	}
}
