package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	live "github.com/abtop-dev/abtop/batches"
)

// TestDashboardBatchSourceListsAndFollows: the picker's source lists the
// organization's batches of other processes (not this one's, not another
// organization's), keeps one that ended, and follows the one chosen.
func TestDashboardBatchSourceListsAndFollows(t *testing.T) {
	dir := t.TempDir()
	pub := func(org, source string, pid int, states ...queue.State) *live.Publisher {
		r := live.Record{Org: org, Source: source, PID: pid, Journal: filepath.Join(dir, source+".db"), Started: time.Now(), State: live.StateRunning}
		for i, s := range states {
			r.Jobs = append(r.Jobs, queue.Job{Key: source + string(rune('a'+i)), State: s, Model: "m"})
		}
		r.Counts = live.CountJobs(r.Jobs)
		p, err := live.Publish(dir, r, slices.Values(r.Jobs), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		return p
	}
	a := pub("org", "a.jsonl", 101, queue.StatePending, queue.StateSucceeded)
	pub("org", "b.jsonl", 102, queue.StatePending)
	c := pub("org", "c.jsonl", 103, queue.StateSucceeded)
	pub("org", "mine.jsonl", os.Getpid(), queue.StatePending)
	pub("other-org", "theirs.jsonl", 104, queue.StatePending)

	src := newBatchSource(dir, "org")
	if _, err := src.Batches(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Close() // c's owner exits cleanly: still listed, as ended
	list, err := src.Batches(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, b := range list {
		got[b.Source] = b.State
	}
	if len(list) != 3 || got["a.jsonl"] != live.StateRunning || got["b.jsonl"] != live.StateRunning || got["c.jsonl"] != live.StateEnded {
		t.Fatalf("listed %+v", list)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q := src.Follow(ctx, a.ID())
	if jobs := q.Jobs(); len(jobs) != 2 || jobs[0].Key != "a.jsonla" {
		t.Fatalf("following a: jobs %+v", jobs)
	}
	if st := q.State(); st.Owner == "" || !strings.Contains(st.Owner, "pid 101 · a.jsonl · 1/2 sent") {
		t.Fatalf("following a: state %+v", st)
	}
}
