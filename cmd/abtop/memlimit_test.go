package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A submit's memory limit follows its batch (its jobs and their inputs),
// never falls below an earlier estimate, is left to GOMEMLIMIT when that
// is set, and is never set by a process that did not ask (tests).
func TestLimitMemoryFollowsTheBatch(t *testing.T) {
	var got []int64
	a := &app{setMemoryLimit: func(n int64) int64 { got = append(got, n); return 0 }}
	t.Setenv("GOMEMLIMIT", "")
	a.limitMemory(0, 0)
	a.limitMemory(100000, 0)
	if len(got) != 2 || got[0] != 64<<20 || got[1] != 64<<20+100000*800 {
		t.Fatalf("limits set %v, want 64 MiB then 64 MiB + 800 B a job", got)
	}
	if got[1] > 150<<20 {
		t.Errorf("100,000 jobs get %d MiB: no room left under 200 MB of RSS", got[1]>>20)
	}
	// 100,000 prompts of 2 KB: the inputs alone are 200 MB, held twice
	// while journaled; a limit below them keeps the collector running.
	a.limitMemory(100000, 100000*2048)
	if len(got) != 3 || got[2] < 2*100000*2048 {
		t.Fatalf("limits set %v; 100,000 inputs of 2 KB need over %d MiB", got, 2*100000*2048>>20)
	}
	// a later, smaller count (the journal's jobs before the new ones are
	// read) leaves the earlier estimate in place
	a.limitMemory(10, 0)
	if len(got) != 3 {
		t.Errorf("a smaller batch lowered the limit: %v", got)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	a.limitMemory(1<<20, 1<<30)
	if len(got) != 3 {
		t.Errorf("a limit was set over GOMEMLIMIT: %v", got)
	}
	t.Setenv("GOMEMLIMIT", "")
	(&app{}).limitMemory(5, 0) // no setter: nothing to call, no panic
}

func TestJournalJobsFromItsSize(t *testing.T) {
	dir := t.TempDir()
	if _, ok := journalJobs(filepath.Join(dir, "none.db")); ok {
		t.Error("a journal that does not exist was sized")
	}
	if _, ok := journalJobs(dir); ok {
		t.Error("a directory was sized as a journal")
	}
	path := filepath.Join(dir, "queue.db")
	if err := os.WriteFile(path, make([]byte, 300*1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, ok := journalJobs(path); !ok || n != 1000 {
		t.Errorf("journalJobs = %d, %v; want 1000", n, ok)
	}
}
