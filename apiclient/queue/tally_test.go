package queue_test

import (
	"path/filepath"
	"testing"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Tally, Each and Rows read the queue without copying all of it: Tally
// counts only the given keys, Each visits every job in order, Rows copies
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
	rows := q.Rows(keys)
	if len(rows) != 2 || rows[0].Key != added[1].Key || rows[1].Key != added[2].Key || rows[0].Input != nil || rows[0].State != queue.StateCanceled {
		t.Errorf("Rows(keys) = %+v", rows)
	}
	if all := q.Rows(nil); len(all) != 3 || all[0].Input != nil {
		t.Errorf("Rows(nil) = %+v", all)
	}
	if q.List()[0].Input == nil {
		t.Error("Rows cleared an input in the queue itself")
	}
}
