package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/results"
)

// A batch ends with its files, not with its jobs: a run killed after
// every job turned final in the journal but before the downloads (or the
// manifest's last rewrite) left nothing "unfinished" in the journal.
// "submit --resume --out" must still fetch the missing files and rewrite
// the manifest, and exit 0 only once they are verified (seed
// 1795991181048012429 of TestSubmitKillResumeE2E once exited 0 here with
// manifest line 1 still "created").
func TestSubmitResumeFetchesFilesOfAFinalBatch(t *testing.T) {
	isolateConfig(t)
	sb := startOwnerSandbox(t)
	t.Setenv("ABTOP_BASE_URL", sb.url)
	t.Setenv("ABTOP_TOKEN", sb.token)
	t.Setenv("ABTOP_JOURNAL", filepath.Join(t.TempDir(), "q.db"))
	t.Setenv("ABTOP_LIMITER", "memory")
	const n = 3
	var body strings.Builder
	for i := range n {
		fmt.Fprintf(&body, `{"model":"flux-schnell","input":{"prompt":"p%d"}}`+"\n", i)
	}
	file := filepath.Join(t.TempDir(), "jobs.jsonl")
	if err := os.WriteFile(file, []byte(body.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// Every job followed to "succeeded" in the journal, no file on disk:
	// what a kill between the last tracking read and the downloads leaves.
	if code, out, errOut := runCmd(t, nil, "submit", file); code != 0 {
		t.Fatalf("submit: exit %d\n%s%s", code, out, errOut)
	}
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errOut := runCmd(t, nil, "submit", "--resume", "--out", dir)
	if code != results.ExitOK {
		t.Fatalf("resume of a final batch into an empty directory: exit %d\n%s%s", code, out, errOut)
	}
	entries := verifyOut(t, dir, n)

	// A stale manifest (its last rewrite lost to the kill) and a file
	// missing: the resume brings both back.
	lost := filepath.Join(dir, filepath.FromSlash(entries[0].Outputs[0].Path))
	if err := os.Remove(lost); err != nil {
		t.Fatal(err)
	}
	man := filepath.Join(dir, results.ManifestName)
	data, err := os.ReadFile(man)
	if err != nil {
		t.Fatal(err)
	}
	stale := strings.Replace(string(data), `"status":"succeeded"`, `"status":"created"`, 1)
	if err := os.WriteFile(man, []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCmd(t, nil, "submit", "--resume", "--out", dir)
	if code != results.ExitOK {
		t.Fatalf("resume after a lost file: exit %d\n%s%s", code, out, errOut)
	}
	verifyOut(t, dir, n)
	if st := sb.sb.Stats(); st.JobsCreated != n || st.DuplicateJobs != 0 {
		t.Errorf("created %d, duplicates %d; want %d and 0", st.JobsCreated, st.DuplicateJobs, n)
	}
}
