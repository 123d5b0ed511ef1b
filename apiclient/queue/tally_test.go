package queue_test

import (
	"path/filepath"
	"testing"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Tally, Each and RowsFrom read the queue without copying all of it: Tally
// counts only the given keys, Each visits every job in order, RowsFrom copies
// the given jobs (all with nil) in order and without their inputs.
func TestTallyEachRows(t *testing.T) {
	j, err := queue.OpenJournal(filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	q, err := queue.Open(queue.QueueOptions{Journal: j, API: nopAPI{}, Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("pro"))})})
	if err != nil {
		t.Fatal(err)
	}
	added, err := q.Enqueue(jobs(3)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Cancel(t.Context(), added[1].Key); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{added[1].Key: true, added[2].Key: true, "not-a-job": true}
	if got := q.Tally(keys); len(got) != 2 || got[queue.StateCanceled] != 1 || got[queue.StatePending] != 1 {
		t.Errorf("Tally %v, want 1 canceled and 1 pending", got)
	}
	var seen []int
	q.Each(func(j queue.Job) { seen = append(seen, j.Line) })
	if len(seen) != 3 || seen[0] != 1 || seen[2] != 3 {
		t.Errorf("Each visited lines %v, want 1 2 3", seen)
	}
	rows, next := q.RowsFrom(0, keys, make([]queue.Job, 0, 8))
	if len(rows) != 2 || rows[0].Key != added[1].Key || rows[1].Key != added[2].Key || rows[0].Input != nil || rows[0].State != queue.StateCanceled || next != 3 {
		t.Errorf("RowsFrom(0, keys) = %+v, %d", rows, next)
	}
	// one row at a time, every job: each chunk goes on where the last ended
	buf := make([]queue.Job, 0, 1)
	var lines []int
	for at := 0; ; {
		var chunk []queue.Job
		if chunk, at = q.RowsFrom(at, nil, buf); len(chunk) == 0 {
			break
		}
		if len(chunk) != 1 || chunk[0].Input != nil {
			t.Fatalf("RowsFrom(%d, nil) with room for one = %+v", at, chunk)
		}
		lines = append(lines, chunk[0].Line)
	}
	if len(lines) != 3 || lines[0] != 1 || lines[1] != 2 || lines[2] != 3 {
		t.Errorf("RowsFrom chunk by chunk gave lines %v, want 1 2 3", lines)
	}
	if q.List()[0].Input == nil {
		t.Error("RowsFrom cleared an input in the queue itself")
	}
}

// Add returns the keys in order and the time they were queued; Enqueue's
// jobs are copies, never the queue's own (the queue keeps one slice).
func TestAddAndEnqueueKeepTheQueuesJobs(t *testing.T) {
	j, err := queue.OpenJournal(filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	q, err := queue.Open(queue.QueueOptions{Journal: j, API: nopAPI{}, Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("pro"))})})
	if err != nil {
		t.Fatal(err)
	}
	keys, at, err := q.Add(jobs(3)...)
	if err != nil || len(keys) != 3 || at.IsZero() {
		t.Fatalf("Add = %v, %v, %v", keys, at, err)
	}
	added, err := q.Enqueue(jobs(2)...)
	if err != nil {
		t.Fatal(err)
	}
	added[0].State = queue.StateFailed // the caller's copy
	list := q.List()
	if len(list) != 5 || list[3].State != queue.StatePending {
		t.Fatalf("the queue holds %d jobs, the 4th %s: Enqueue returned the queue's own", len(list), list[3].State)
	}
	for i, k := range keys {
		if list[i].Key != k || !list[i].Enqueued.Equal(at) || list[i].Line != i+1 {
			t.Errorf("job %d: key %s queued %v line %d, want key %s queued %v", i, list[i].Key, list[i].Enqueued, list[i].Line, k, at)
		}
	}
	loaded, err := j.Load()
	if err != nil || len(loaded) != 5 {
		t.Fatalf("the journal holds %d jobs (%v), want 5", len(loaded), err)
	}
}
