package localbudget

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// alternate sends each operation to the next of two stores sharing a file.
type alternate struct {
	stores [2]*Store
	n      atomic.Uint64
}

func (a *alternate) next() *Store { return a.stores[a.n.Add(1)%2] }

func (a *alternate) Reserve(ctx context.Context, r budget.Request) (budget.Grant, error) {
	return a.next().Reserve(ctx, r)
}
func (a *alternate) Cancel(ctx context.Context, g budget.Grant) error { return a.next().Cancel(ctx, g) }
func (a *alternate) Observe(ctx context.Context, o budget.Observation) error {
	return a.next().Observe(ctx, o)
}
func (a *alternate) AcquireSlot(ctx context.Context, h string, now time.Time, ttl time.Duration) (bool, error) {
	return a.next().AcquireSlot(ctx, h, now, ttl)
}
func (a *alternate) ReleaseSlot(ctx context.Context, h string) error {
	return a.next().ReleaseSlot(ctx, h)
}
func (a *alternate) Snapshot(ctx context.Context) (budget.State, error) {
	return a.next().Snapshot(ctx)
}

// Several stores on one file (as several processes) never overspend the
// window between them, and each spends the whole of it when alone.
func TestStoresShareOneWindow(t *testing.T) {
	dir := t.TempDir()
	pro := budget.PlanNamed("pro")
	const n = 4
	var stores [n]*Store
	for i := range stores {
		stores[i] = open(t, dir, "acme", Options{Plan: pro})
	}
	if g, _ := stores[0].Reserve(bg, budget.Request{Now: t0, Cost: 1}); !g.OK {
		t.Fatalf("first request refused: %+v", g)
	}
	if err := stores[1].Observe(bg, answer(t0, 1, 100, 99, time.Minute)); err != nil {
		t.Fatal(err)
	}
	var granted atomic.Int64
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 60 {
				g, err := s.Reserve(bg, budget.Request{Now: t0.Add(time.Second), Cost: 1})
				if err != nil {
					t.Error(err)
					return
				}
				if g.OK {
					granted.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	// The last unit of a window waits for the answers in flight.
	if got := granted.Load(); got < 98 || got > 99 {
		t.Fatalf("%d stores granted %d of the 99 left", n, got)
	}
	st := snapshot(t, stores[2])
	if st.InFlight != granted.Load() || st.Remaining != 99-granted.Load() {
		t.Fatalf("shared state: in flight %d, remaining %d after %d grants", st.InFlight, st.Remaining, granted.Load())
	}
	if got := stores[3].Status(); got.Processes != n || got.String() != "shared locally · 4 processes" {
		t.Fatalf("status %+v %q, want 4 processes", got, got)
	}
}

// What one process learns, the others obey: a Retry-After seen by one
// stops all.
func TestEmbargoIsShared(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro")})
	b := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro")})
	other := open(t, dir, "another org", Options{Plan: budget.PlanNamed("pro")})
	if err := a.Observe(bg, budget.Observation{Received: t0, RetryAfter: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if g, _ := b.Reserve(bg, budget.Request{Now: t0.Add(29 * time.Second), Cost: 1}); g.OK || g.Reason != budget.ReasonRetryAfter {
		t.Fatalf("other store ignored the embargo: %+v", g)
	}
	if g, _ := other.Reserve(bg, budget.Request{Now: t0, Cost: 1}); !g.OK {
		t.Fatalf("another organization's store obeyed it: %+v", g)
	}
}

// Close gives back what a store had in flight and stops counting it.
func TestCloseLeaves(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro")})
	b := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro")})
	if g, _ := b.Reserve(bg, budget.Request{Now: t0, Cost: 1}); !g.OK {
		t.Fatal("refused")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if st := snapshot(t, a); st.InFlight != 0 {
		t.Fatalf("in flight %d after the only holder closed", st.InFlight)
	}
	if p := a.Status().Processes; p != 1 {
		t.Fatalf("%d processes after one of two closed", p)
	}
	if _, err := b.Reserve(bg, budget.Request{Now: t0, Cost: 1}); err == nil {
		t.Fatal("a closed store still decides")
	}
	if st, err := Peek(dir, "acme"); err != nil || st.Processes != 1 {
		t.Fatalf("Peek: %+v %v", st, err)
	}
	if st, err := Peek(filepath.Join(dir, "missing"), "acme"); err != nil || st.Processes != 0 || st.String() != "shared locally · no process running" {
		t.Fatalf("Peek of a missing directory: %+v %v", st, err)
	}
}

// A store whose process died (its alive file is unlocked) gets its units
// in flight reaped; simulated here by releasing the lock the kernel would
// drop. The real thing is TestSurvivorAfterSIGKILL.
func TestDeadStoreReaped(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro")})
	b := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro")})
	a.Reserve(bg, budget.Request{Now: t0, Cost: 1})
	a.Observe(bg, answer(t0, 1, 60, 59, time.Minute))
	for range 3 {
		if g, _ := b.Reserve(bg, budget.Request{Now: t0, Cost: 1}); !g.OK {
			t.Fatal("refused")
		}
	}
	if err := unlock(b.aliveFile); err != nil { // b "dies"
		t.Fatal(err)
	}
	// a reaps at its next decision at least ReapEvery after its last.
	if g, _ := a.Reserve(bg, budget.Request{Now: t0.Add(time.Second), Cost: 1}); !g.OK {
		t.Fatal("refused")
	}
	if st := snapshot(t, a); st.InFlight != 1 {
		t.Fatalf("in flight %d after the dead store's 3 were reaped, want a's 1", st.InFlight)
	}
	if _, err := os.Stat(b.aliveFile.Name()); !os.IsNotExist(err) {
		t.Fatalf("dead store's alive file left behind: %v", err)
	}
}

func TestFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "budget")
	s := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro")})
	if _, err := s.Reserve(bg, budget.Request{Now: t0, Cost: 1}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory: %v %v, want 0700", fi.Mode(), err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 { // state, alive
		t.Fatalf("files %v, want state and alive", ents)
	}
	for _, e := range ents {
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", e.Name(), fi.Mode())
		}
	}
}

// A settle that cannot take the lock in time (another process stopped
// while holding it) is not lost: the next operation applies it, and what
// its answer taught (a Retry-After) with it.
func TestSettleOwedWhileLockHeld(t *testing.T) {
	dir := t.TempDir()
	a := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro"), SettleTimeout: 50 * time.Millisecond})
	stopped := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro")})
	a.Reserve(bg, budget.Request{Now: t0, Cost: 1})
	a.Observe(bg, answer(t0, 1, 60, 59, time.Minute))
	g, _ := a.Reserve(bg, budget.Request{Now: t0, Cost: 2})
	if !g.OK {
		t.Fatal("refused")
	}
	if err := lock(bg, stopped.file); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel() // settles ignore their caller's cancellation...
	if err := a.Observe(ctx, budget.Observation{Sent: t0, Received: t0, Settle: 2, RetryAfter: time.Minute}); err == nil {
		t.Fatal("settled while another store held the lock")
	}
	if err := unlock(stopped.file); err != nil {
		t.Fatal(err)
	}
	// ...and one that timed out is applied with the next operation.
	if _, err := a.AcquireSlot(bg, "job", t0, time.Minute); err != nil {
		t.Fatal(err)
	}
	if st := snapshot(t, a); st.InFlight != 0 || !st.Embargo.After(t0.Add(time.Minute)) {
		t.Fatalf("after the owed settle: in flight %d, embargo %v; want 0 and the Retry-After the answer stated", st.InFlight, st.Embargo)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if st := snapshot(t, stopped); st.InFlight != 0 {
		t.Fatalf("in flight %d after close", st.InFlight)
	}
}
