package localbudget

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

const (
	helperEnv     = "LOCALBUDGET_HELPER_DIR"
	helperModeEnv = "LOCALBUDGET_HELPER_MODE"
)

// TestHelperSpend is not a test: TestSurvivorAfterSIGKILL runs the test
// binary again with only this function, as another abtop process that
// takes 5 units, leaves them in flight, then decides as fast as it can
// (holding the lock, writing the state file most of the time) until it is
// killed with SIGKILL.
func TestHelperSpend(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process for TestSurvivorAfterSIGKILL")
	}
	s, err := Open(context.Background(), dir, "acme", Options{Plan: budget.PlanNamed("pro")})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	for range 5 {
		if g, err := s.Reserve(bg, budget.Request{Now: time.Now(), Cost: 1}); !g.OK || err != nil {
			fmt.Println("ERROR refused", g, err)
			os.Exit(2)
		}
	}
	if os.Getenv(helperModeEnv) == "lock" {
		// Die holding the state lock.
		if err := lock(bg, s.file); err != nil {
			fmt.Println("ERROR", err)
			os.Exit(2)
		}
		fmt.Println("HELD")
		time.Sleep(time.Minute) // until SIGKILL
		os.Exit(3)
	}
	fmt.Println("HELD")
	for { // until SIGKILL
		now := time.Now()
		if g, _ := s.Reserve(bg, budget.Request{Now: now, Cost: 1}); g.OK {
			_ = s.Observe(bg, budget.Observation{Sent: now, Received: now, Settle: 1})
		}
	}
}

// A process killed at a random instant (often holding the lock or halfway
// through writing the state) neither holds the survivor nor keeps units
// counted in flight: the survivor is back to the full window at once.
func TestSurvivorAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts helper processes")
	}
	for round := range 3 {
		dir := t.TempDir()
		a := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro"), ReapEvery: 20 * time.Millisecond})
		now := time.Now()
		a.Reserve(bg, budget.Request{Now: now, Cost: 1})
		if err := a.Observe(bg, answer(now, 1, 20, 20, time.Minute)); err != nil {
			t.Fatal(err)
		}

		cmd := startHelper(t, dir, "spend")
		if p := a.Status().Processes; p != 2 {
			t.Errorf("round %d: %d processes while the helper runs, want 2", round, p)
		}
		// A random instant of the helper's busy loop.
		time.Sleep(time.Duration(rand.IntN(20_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		killed := time.Now()

		for {
			// Nothing may hold the survivor: a lock left by the
			// killed process would make this time out.
			ctx, cancel := context.WithTimeout(bg, time.Second)
			now := time.Now()
			g, err := a.Reserve(ctx, budget.Request{Now: now, Cost: 1})
			cancel()
			if err != nil {
				t.Fatalf("round %d: survivor stuck after the SIGKILL: %v", round, err)
			}
			if g.OK {
				a.Observe(bg, budget.Observation{Sent: now, Received: now, Settle: 1})
			}
			if st := snapshot(t, a); st.InFlight == 0 {
				break
			}
			if time.Since(killed) > 3*time.Second {
				t.Fatalf("round %d: the killed process's units still in flight 3 s after the SIGKILL: %+v", round, snapshot(t, a))
			}
			time.Sleep(5 * time.Millisecond)
		}
		if p := a.Status().Processes; p != 1 {
			t.Errorf("round %d: %d processes after the SIGKILL, want 1", round, p)
		}
		// The next window: the whole of it is the survivor's. Units the
		// dead process left counted in flight would be taken out of it.
		now = time.Now()
		if err := a.Observe(bg, answer(now, 0, 20, 20, 3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		granted := 0
		for range 25 {
			if g, err := a.Reserve(bg, budget.Request{Now: now, Cost: 1}); err == nil && g.OK {
				granted++
				a.Observe(bg, budget.Observation{Sent: now, Received: now, Settle: 1})
			}
		}
		if granted != 20 {
			t.Fatalf("round %d: survivor granted %d of a window of 20 after the SIGKILL", round, granted)
		}
		t.Logf("round %d: full window %v after SIGKILL", round, time.Since(killed).Round(time.Millisecond))
	}
}

// startHelper runs TestHelperSpend in another process and waits until it
// holds its units (and, in mode "lock", the state lock).
func startHelper(t *testing.T, dir, mode string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSpend$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir, helperModeEnv+"="+mode)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "ERROR") {
			t.Fatalf("helper: %s", sc.Text())
		}
		if sc.Text() == "HELD" {
			return cmd
		}
	}
	t.Fatalf("helper ended without taking its units: %v", sc.Err())
	return nil
}

// A process killed while it holds the state lock holds nobody: the kernel
// drops its flock with it.
func TestLockFreedAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a helper process")
	}
	dir := t.TempDir()
	a := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro")})
	now := time.Now()
	a.Reserve(bg, budget.Request{Now: now, Cost: 1})
	a.Observe(bg, answer(now, 1, 20, 20, time.Minute))
	cmd := startHelper(t, dir, "lock")

	ctx, cancel := context.WithTimeout(bg, 100*time.Millisecond)
	_, err := a.Reserve(ctx, budget.Request{Now: time.Now(), Cost: 1})
	cancel()
	if err == nil {
		t.Fatal("decided while another process held the state lock")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	ctx, cancel = context.WithTimeout(bg, 2*time.Second)
	defer cancel()
	if g, err := a.Reserve(ctx, budget.Request{Now: time.Now().Add(time.Second), Cost: 1}); err != nil || !g.OK {
		t.Fatalf("after the holder was killed: %+v %v", g, err)
	}
	if st := snapshot(t, a); st.InFlight != 1 {
		t.Fatalf("in flight %d, want only the survivor's 1 (the killed process's 5 given back)", st.InFlight)
	}
}
