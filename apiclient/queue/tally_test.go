package queue_test

import (
	"testing"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Tally, Each and RowsFrom read the queue without copying all of it: Tally
// counts only the given keys, Each visits every job in order, RowsFrom copies
// the given jobs (all with nil) in order and without their inputs.
func TestTallyEachRows(t *testing.T) {
	q, _ := offlineQueue(t)
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
	rows, next, ok := q.RowsFrom(queue.RowCursor{}, keys, make([]queue.Job, 0, 8))
	if !ok || len(rows) != 2 || rows[0].Key != added[1].Key || rows[1].Key != added[2].Key || rows[0].Input != nil || rows[0].State != queue.StateCanceled {
		t.Errorf("RowsFrom(start, keys) = %+v, %v", rows, ok)
	}
	if rest, _, ok := q.RowsFrom(next, keys, make([]queue.Job, 0, 8)); !ok || len(rest) != 0 {
		t.Errorf("RowsFrom past the end = %+v, %v; want none", rest, ok)
	}
	// one row at a time, every job: each chunk goes on where the last ended
	buf := make([]queue.Job, 0, 1)
	var lines []int
	for c := (queue.RowCursor{}); ; {
		chunk, next, ok := q.RowsFrom(c, nil, buf)
		if !ok {
			t.Fatal("RowsFrom reported a reorder that did not happen")
		}
		if len(chunk) == 0 {
			break
		}
		if len(chunk) != 1 || chunk[0].Input != nil {
			t.Fatalf("RowsFrom(%+v, nil) with room for one = %+v", c, chunk)
		}
		lines = append(lines, chunk[0].Line)
		c = next
	}
	if len(lines) != 3 || lines[0] != 1 || lines[1] != 2 || lines[2] != 3 {
		t.Errorf("RowsFrom chunk by chunk gave lines %v, want 1 2 3", lines)
	}
	if q.List()[0].Input == nil {
		t.Error("RowsFrom cleared an input in the queue itself")
	}
}

// Reorder moves jobs to positions a reader of RowsFrom has passed or not
// reached yet: the reader is told, instead of missing or repeating a row,
// and a read from the start sees each job once. Jobs added between
// chunks only append, and a reader goes on.
func TestRowsFromAcrossAReorder(t *testing.T) {
	q, _ := offlineQueue(t)
	if _, err := q.Enqueue(jobs(4)...); err != nil {
		t.Fatal(err)
	}
	buf := make([]queue.Job, 0, 2)
	first, next, ok := q.RowsFrom(queue.RowCursor{}, nil, buf)
	if !ok || len(first) != 2 || first[0].Line != 1 || first[1].Line != 2 {
		t.Fatalf("first chunk %+v, %v", first, ok)
	}
	late, err := q.Enqueue(jobs(1)...)
	if err != nil {
		t.Fatal(err)
	}
	second, next, ok := q.RowsFrom(next, nil, buf)
	if !ok || len(second) != 2 || second[0].Line != 3 || second[1].Line != 4 {
		t.Fatalf("after an append: %+v, %v; want lines 3 and 4", second, ok)
	}
	// the job added last (not read yet) moves first: read by position,
	// the next chunk would give line 4 again and never the moved job
	if err := q.Reorder(late[0].Key, -4); err != nil {
		t.Fatal(err)
	}
	if rest, _, ok := q.RowsFrom(next, nil, buf); ok {
		t.Fatalf("RowsFrom went on across a reorder: %+v", rest)
	}
	seen := map[string]int{}
	for c := (queue.RowCursor{}); ; {
		chunk, n, ok := q.RowsFrom(c, nil, buf)
		if !ok {
			t.Fatal("a read begun after the reorder was refused")
		}
		if len(chunk) == 0 {
			break
		}
		for _, r := range chunk {
			seen[r.Key]++
		}
		c = n
	}
	if len(seen) != 5 {
		t.Errorf("read again from the start: %d jobs, want 5", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("job %s read %d times", queue.ShortKey(k), n)
		}
	}
}

// Add returns the keys in order and the time they were queued; Enqueue's
// jobs are copies, never the queue's own (the queue keeps one slice).
func TestAddAndEnqueueKeepTheQueuesJobs(t *testing.T) {
	q, j := offlineQueue(t)
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
