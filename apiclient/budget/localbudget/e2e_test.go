package localbudget

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/budgettest"
)

// TestThreeSubmittersShareOneWindow is the issue's "three abtop submit
// processes with no --limiter" with three stores on one directory standing
// for the processes (flock excludes two opens in one process as it does
// two processes): every job once, no Retry-After violation, at most one
// 429 (the window's boundary is learned from answers), most of the
// allowance used. Three unshared stores are logged beside it.
func TestThreeSubmittersShareOneWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ~1.5 s of real time")
	}
	dir := t.TempDir()
	// The server's own plan, so the pacing before the first answer (one
	// request per window/limit) does not dominate a batch this short.
	pro := budget.Plan{Name: "e2e", Limit: budgettest.BatchLimit, Window: budgettest.BatchWindow}
	var stores []budget.Store
	for range 3 {
		stores = append(stores, open(t, dir, "e2e", Options{Plan: pro}))
	}
	b := budgettest.RunBatch(t, stores, time.Now)
	if !b.Finished || b.OK != budgettest.BatchJobs {
		t.Fatalf("batch: finished %v, %d of %d jobs", b.Finished, b.OK, budgettest.BatchJobs)
	}
	if b.Violations != 0 {
		t.Errorf("%d Retry-After violations", b.Violations)
	}
	if b.R429 > 1 {
		t.Errorf("%d 429s, want at most 1", b.R429)
	}
	if b.Used < 0.85 {
		t.Errorf("allowance used %.0f%%, want most of it", 100*b.Used)
	}

	t.Run("unshared, for comparison", func(t *testing.T) {
		budgettest.RunBatch(t, []budget.Store{budget.NewMemory(pro), budget.NewMemory(pro), budget.NewMemory(pro)}, time.Now)
	})
}
