package redisbudget

import (
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/budgettest"
)

// TestThreeSubmittersShareOneWindow checks what the acceptance asks
// of real binaries, with three stores standing for three processes: no
// Retry-After violation, at most 3 429s, every job once, most of the
// allowance used. The same batch with three unshared in-process stores is
// compared on a virtual clock (TestUnsharedStoresCollide), where its
// figures are exact.
func TestThreeSubmittersShareOneWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ~2 s of real time")
	}
	redis := startRedis(t)
	ss := threeProcesses(t, redis.URL(), "e2e")
	st := budgettest.RunBatch(t, []budget.Store{ss[0], ss[1], ss[2]}, ss[0].Now)
	if !st.Finished {
		t.Fatalf("batch did not finish in time")
	}
	if st.Violations != 0 {
		t.Errorf("%d Retry-After violations", st.Violations)
	}
	if st.R429 > 3 {
		t.Errorf("%d 429s, want at most 3", st.R429)
	}
	if st.OK != budgettest.BatchJobs {
		t.Errorf("%d jobs accepted, want %d", st.OK, budgettest.BatchJobs)
	}
	if st.Used < 0.85 {
		t.Errorf("allowance used %.0f%%, want most of it", 100*st.Used)
	}

}

// TestBatchSurvivesRedisOutage stops Redis in the middle of the batch (the "kill Redis for 10 s", scaled down): no
// Retry-After violation, every job once, and the batch completes.
func TestBatchSurvivesRedisOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ~1.5 s of real time")
	}
	redis := startRedis(t)
	ss := threeProcesses(t, redis.URL(), "e2e")
	eventually(t, 2*time.Second, "every process to count 3 peers", func() bool {
		return ss[0].Status().Peers == 3 && ss[1].Status().Peers == 3 && ss[2].Status().Peers == 3
	})
	var during string
	st := budgettest.RunBatchDuring(t, []budget.Store{ss[0], ss[1], ss[2]}, ss[0].Now, func(accepted func() int64) {
		// Conditions, not sleeps: Redis goes down once a window's worth
		// was accepted, and comes back once every process has noticed and
		// the batch went on without it for a few requests.
		until := func(cond func() bool) {
			for deadline := time.Now().Add(5 * time.Second); !cond() && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
		}
		until(func() bool { return accepted() >= budgettest.BatchLimit })
		redis.Stop()
		mark := accepted()
		until(func() bool {
			for _, s := range ss {
				if s.Status().Connected {
					return false
				}
			}
			return accepted() >= mark+3
		})
		during = ss[0].Status().String()
		redis.Restart()
	})
	t.Logf("status during the outage: %q", during)
	if !strings.HasPrefix(during, "redis unreachable, local share 1/3") {
		t.Errorf("status during the outage: %q", during)
	}
	if !st.Finished || st.OK != budgettest.BatchJobs {
		for i, s := range ss {
			snap, err := s.Snapshot(bg)
			s.mu.Lock()
			f := s.f
			s.mu.Unlock()
			t.Logf("process %d at %v: %s; %+v (%v); books: redisOut %d localOut %d owed %d spent %d/%d capped %v %v",
				i, s.Now(), s.Status(), snap, err, f.redisOut, f.localOut, f.pendingSettle, f.sharedSpent, f.localSpent, f.capped, f.capEnd)
		}
		t.Fatalf("batch: finished %v, %d of %d jobs", st.Finished, st.OK, budgettest.BatchJobs)
	}
	if st.Violations != 0 {
		t.Errorf("%d Retry-After violations", st.Violations)
	}
	if st.R429 > 3 {
		t.Errorf("%d 429s, want at most 3", st.R429)
	}
	eventually(t, 3*time.Second, "all to reconnect", func() bool { return allConnected(ss) })
}
