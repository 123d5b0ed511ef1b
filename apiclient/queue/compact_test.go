package queue_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Opening with Keep drops the batches that ended before now-Keep, whole;
// a batch with a job still running, or one that ended recently, stays.
func TestCompactDropsOldFinishedBatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	j, err := queue.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	job := func(key string, seq int64, enq time.Time, st queue.State, updated time.Time) queue.Job {
		return queue.Job{Key: key, Seq: seq, Model: "flux-schnell", Input: json.RawMessage(`{}`), State: st, Enqueued: enq, Updated: updated}
	}
	old, oldLive, recent := t0, t0.Add(time.Hour), t0.Add(40*24*time.Hour)
	if err := j.Put(
		job("old-1", 1, old, queue.StateSucceeded, old.Add(time.Hour)),
		job("old-2", 2, old, queue.StateFailed, old.Add(2*time.Hour)),
		job("live-1", 3, oldLive, queue.StateSucceeded, oldLive),
		job("live-2", 4, oldLive, queue.StateRunning, oldLive), // never heard of again: kept
		job("new-1", 5, recent, queue.StateSucceeded, recent.Add(time.Hour)),
	); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return recent.Add(24 * time.Hour) }
	q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("pro"))}), API: nopAPI{}, Now: now, Keep: queue.DefaultKeep})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, jb := range q.List() {
		got = append(got, jb.Key)
	}
	want := []string{"live-1", "live-2", "new-1"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("kept %v, want %v", got, want)
	}
	// A second pass with nothing to do removes nothing.
	if n, err := j.Compact(now().Add(-queue.DefaultKeep)); err != nil || n != 0 {
		t.Fatalf("second Compact = %d, %v; want 0, nil", n, err)
	}
	j.Close()
}
