package batches

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"

	"github.com/abtop-dev/abtop/internal/syncbuf"
)

// noAPI is an API the test never reaches: the queue is not run, and a
// pending job is canceled locally.
type noAPI struct{ queue.API }

// offlineQueue is a queue over a fresh journal in dir that never sends
// (it is never Run): the owner only publishes and obeys.
func offlineQueue(tb testing.TB, dir string) (*queue.Queue, *queue.Journal) {
	tb.Helper()
	j, err := queue.OpenJournal(filepath.Join(dir, "queue.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { j.Close() })
	q, err := queue.Open(queue.QueueOptions{Journal: j, API: noAPI{},
		Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("free"))})})
	if err != nil {
		tb.Fatal(err)
	}
	return q, j
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The owner publishes its batch (not the queue's other jobs, no inputs)
// and carries out a watcher's pause, resume and cancel, saying so.
func TestOwnerPublishesAndObeys(t *testing.T) {
	dir := t.TempDir()
	q, j := offlineQueue(t, dir)
	input := json.RawMessage(`{"prompt":"secret-ish input"}`)
	added, err := q.Enqueue(queue.NewJob{Model: "m", Input: input}, queue.NewJob{Model: "m", Input: input}, queue.NewJob{Model: "other", Input: input})
	if err != nil {
		t.Fatal(err)
	}
	batch := map[string]bool{added[0].Key: true, added[1].Key: true}
	log := &syncbuf.Buffer{}
	o, err := Own(OwnerOptions{Dir: dir, Meta: Record{Org: "o", Source: "jobs.jsonl", Journal: j.Path()}, Queue: q, Batch: batch,
		Share: func() string { return "shared locally · 2 processes" }, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	list, _ := List(dir, "o")
	if len(list) != 1 || !list[0].Alive || len(list[0].Jobs) != 2 || list[0].Share == "" || list[0].State != StateRunning {
		t.Fatalf("published %+v", list)
	}
	id := list[0].ID
	if data, _ := os.ReadFile(recordPath(dir, id)); bytes.Contains(data, []byte("secret-ish")) {
		t.Errorf("a job's input was published: %s", data)
	}

	if err := Send(dir, id, Command{Op: OpPause, PID: 7}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "pause", func() bool { return q.Paused() == "by the dashboard (pid 7)" })
	eventually(t, "pause published", func() bool { r, _ := Get(dir, id); return r.State == StatePaused })
	if !strings.Contains(log.String(), "abtop: paused by the dashboard (pid 7)\n") {
		t.Errorf("log %q", log.String())
	}
	if err := Send(dir, id, Command{Op: OpResume, PID: 7}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "resume", func() bool { return q.Paused() == "" })

	// a job of the queue outside the batch is not the watcher's to cancel
	if err := Send(dir, id, Command{Op: OpCancel, Key: added[2].Key, PID: 7}); err != nil {
		t.Fatal(err)
	}
	if err := Send(dir, id, Command{Op: OpCancel, Key: added[0].Key, PID: 7}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "cancel published", func() bool { r, _ := Get(dir, id); return r.Counts.Canceled == 1 })
	for _, job := range q.List() {
		if job.Key == added[2].Key && job.State != queue.StatePending {
			t.Errorf("the job outside the batch was %s", job.State)
		}
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if list, _ := List(dir, ""); len(list) != 0 {
		t.Fatalf("after Close: %+v", list)
	}
}

// A batch bigger than a chunk of rows is published whole, in queue order,
// its counts those of the rows written. A batch too big to encode before
// Own returns first shows its counts, then its rows at the next tick. An
// empty batch publishes no rows and is done.
func TestOwnerPublishesEveryRowChunkByChunk(t *testing.T) {
	dir := t.TempDir()
	q, j := offlineQueue(t, dir)
	nj := make([]queue.NewJob, 2*firstRows+7)
	for i := range nj {
		nj[i] = queue.NewJob{Model: "m", Input: json.RawMessage(`{"prompt":"p"}`), Line: i + 1}
	}
	added, err := q.Enqueue(nj...)
	if err != nil {
		t.Fatal(err)
	}
	batch := map[string]bool{}
	for i, a := range added {
		if i%2 == 1 { // every other job: chunks are filled across gaps
			batch[a.Key] = true
		}
	}
	if err := q.Cancel(t.Context(), added[1].Key); err != nil {
		t.Fatal(err)
	}
	o, err := Own(OwnerOptions{Dir: dir, Meta: Record{Org: "o", Journal: j.Path()}, Queue: q, Batch: batch})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	list, _ := List(dir, "o")
	if len(list) != 1 || list[0].Counts.Total != len(batch) || list[0].Counts.Canceled != 1 || list[0].State != StateRunning {
		t.Fatalf("first published %+v, want the counts of %d rows", list, len(batch))
	}
	var r Record
	eventually(t, "the rows published", func() bool { r, _ = Get(dir, list[0].ID); return len(r.Jobs) > 0 })
	if len(r.Jobs) != len(batch) || r.Counts.Total != len(batch) || r.Counts.Canceled != 1 || r.Counts.Pending != len(batch)-1 || r.State != StateRunning {
		t.Fatalf("published %d rows, counts %+v, state %s; want %d rows, 1 canceled", len(r.Jobs), r.Counts, r.State, len(batch))
	}
	for i, row := range r.Jobs {
		if want := 2*i + 2; row.Line != want || !batch[row.Key] {
			t.Fatalf("row %d is line %d, want %d", i, row.Line, want)
		}
	}

	empty, err := Own(OwnerOptions{Dir: dir, Meta: Record{Org: "e"}, Queue: q, Batch: map[string]bool{}})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	list, _ = List(dir, "e")
	if len(list) != 1 || list[0].Jobs != nil || list[0].Counts != (Counts{}) || list[0].State != StateDone {
		t.Fatalf("an empty batch published %+v", list)
	}
}

// A queue reordered while the owner writes its rows moves a job to a
// position the write has passed or not reached: the write is dropped
// (the file keeps its last record, whole) rather than miss or repeat a
// row, and the next write has each row once.
func TestOwnerDropsAWriteAcrossAReorder(t *testing.T) {
	dir := t.TempDir()
	q, j := offlineQueue(t, dir)
	nj := make([]queue.NewJob, rowChunk+10)
	for i := range nj {
		nj[i] = queue.NewJob{Model: "m", Input: json.RawMessage(`{"prompt":"p"}`), Line: i + 1}
	}
	added, err := q.Enqueue(nj...)
	if err != nil {
		t.Fatal(err)
	}
	w := &Owner{q: q, meta: Record{Org: "o", Journal: j.Path()}, share: func() string { return "" }}
	rows, done := w.snapshot()
	if w.pub, err = Publish(dir, w.head(), rows, done); err != nil {
		t.Fatal(err)
	}
	defer w.pub.Close()
	rows, done = w.snapshot()
	n := 0
	across := func(yield func(queue.Job) bool) {
		for j := range rows {
			if n++; n == rowChunk {
				// the last job, not read yet, moves first: read on by
				// position, the row at rowChunk-1 would come twice and
				// the moved job never
				if err := q.Reorder(added[len(added)-1].Key, -len(added)); err != nil {
					t.Fatal(err)
				}
			}
			if !yield(j) {
				return
			}
		}
	}
	if err := w.pub.Stream(w.head(), across, done); !errors.Is(err, errReordered) {
		t.Fatalf("a write across a reorder: %v, want errReordered", err)
	}
	check := func(when string, firstLine int) {
		t.Helper()
		r, ok := Get(dir, w.pub.ID())
		seen := map[string]bool{}
		for _, row := range r.Jobs {
			seen[row.Key] = true
		}
		if !ok || len(r.Jobs) != len(added) || len(seen) != len(added) || r.Counts.Total != len(added) || r.Jobs[0].Line != firstLine {
			t.Fatalf("%s: %d rows (%d jobs), counts %+v, first line %d; want %d jobs once each, line %d first",
				when, len(r.Jobs), len(seen), r.Counts, r.Jobs[0].Line, len(added), firstLine)
		}
	}
	check("after the dropped write", 1)
	rows, done = w.snapshot()
	if err := w.pub.Stream(w.head(), rows, done); err != nil {
		t.Fatal(err)
	}
	check("written again", len(added))
}
