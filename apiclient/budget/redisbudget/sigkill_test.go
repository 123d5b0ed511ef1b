package redisbudget

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

const helperEnv = "REDISBUDGET_HELPER_URL"

// TestHelperHoldSlot is not a test: TestLeaseFreedAfterSIGKILL runs the
// test binary again with only this function, as a second abtop process
// that takes a slot and is then killed with SIGKILL.
func TestHelperHoldSlot(t *testing.T) {
	url := os.Getenv(helperEnv)
	if url == "" {
		t.Skip("helper process for TestLeaseFreedAfterSIGKILL")
	}
	s, err := New(context.Background(), url, "acme", testOptions(budget.PlanNamed("pro")))
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	now := s.Now()
	ok, err := s.AcquireSlot(context.Background(), "job-of-killed-process", now, 300*time.Millisecond)
	if !ok || err != nil {
		fmt.Println("ERROR slot refused", ok, err)
		os.Exit(2)
	}
	fmt.Printf("HELD %d\n", now.Add(300*time.Millisecond).UnixNano())
	time.Sleep(time.Minute) // until SIGKILL
	os.Exit(3)
}

func TestLeaseFreedAfterSIGKILL(t *testing.T) {
	srv := startRedis(t)
	b := newStore(t, patientURL(srv.URL()), "acme", testOptions(budget.PlanNamed("pro")))
	if err := b.Observe(bg, budget.Observation{Received: b.Now(), ConcurrencyLimit: 1}); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldSlot$")
	cmd.Env = append(os.Environ(), helperEnv+"="+srv.URL())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var expiry time.Time
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if ns, ok := strings.CutPrefix(line, "HELD "); ok {
			n, err := strconv.ParseInt(ns, 10, 64)
			if err != nil {
				t.Fatalf("helper said %q", line)
			}
			expiry = time.Unix(0, n)
			break
		}
		if strings.HasPrefix(line, "ERROR") {
			t.Fatalf("helper: %s", line)
		}
	}
	if expiry.IsZero() {
		t.Fatalf("helper ended without taking a slot: %v", sc.Err())
	}
	eventually(t, 2*time.Second, "the helper to count as a peer", func() bool { return b.Status().Peers == 2 })

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed := time.Now()

	if ok, _ := b.AcquireSlot(bg, "job-b", expiry.Add(-time.Millisecond), time.Minute); ok {
		t.Fatal("slot granted before the killed process's lease expired")
	}
	eventually(t, 3*time.Second, "the killed process's slot to free itself", func() bool {
		ok, err := b.AcquireSlot(bg, "job-b", b.Now(), time.Minute)
		return ok && err == nil
	})
	eventually(t, 3*time.Second, "the killed process to stop counting as a peer", func() bool { return b.Status().Peers == 1 })
	t.Logf("slot and peer freed %v after SIGKILL (lease 300 ms, peer TTL 200 ms)", time.Since(killed).Round(time.Millisecond))
}
