package redisbudget

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// fixedWindowServer is a fake API rate limiter: limit requests per window,
// windows aligned at start, a 429 with Retry-After (to the window's end)
// past the limit. It counts 429s and Retry-After violations (a request
// arriving before the last Retry-After it asked for had passed).
type fixedWindowServer struct {
	mu         sync.Mutex
	start      time.Time
	window     time.Duration
	limit      int64
	count      map[int64]int64
	embargo    time.Time
	ok, r429   int64
	violations int64
}

func (s *fixedWindowServer) handle(now time.Time) budget.Observation {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := int64(now.Sub(s.start) / s.window)
	end := s.start.Add(time.Duration(k+1) * s.window)
	o := budget.Observation{
		HasRate: true, Limit: s.limit, HasReset: true, ResetAfter: end.Sub(now),
		WindowID: end, Window: s.window,
	}
	if now.Before(s.embargo) {
		s.violations++
	}
	if s.count[k] >= s.limit {
		s.r429++
		o.Remaining, o.RateLimited, o.RetryAfter = 0, true, end.Sub(now)
		s.embargo = end
		return o
	}
	s.count[k]++
	s.ok++
	o.Remaining = s.limit - s.count[k]
	return o
}

// e2eStats is one batch's outcome.
type e2eStats struct {
	ok, r429, violations int64
	elapsed              time.Duration
	used                 float64
	finished             bool
}

const (
	e2eWindow = 300 * time.Millisecond
	e2eLimit  = 20
	e2eJobs   = 80 // four windows' worth
)

// runBatch runs e2eJobs through stores (one per simulated process, each
// with two workers looping Reserve → send → Observe as the scheduler does)
// against one fixed-window server, in real time. during, if set, runs
// alongside with a function that returns the requests accepted so far.
func runBatch(t *testing.T, stores []budget.Store, now func() time.Time, during func(accepted func() int64)) e2eStats {
	srv := &fixedWindowServer{start: now(), window: e2eWindow, limit: e2eLimit, count: map[int64]int64{}}
	var left atomic.Int64
	left.Store(e2eJobs)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	begin := time.Now()
	if during != nil {
		wg.Go(func() {
			during(func() int64 {
				srv.mu.Lock()
				defer srv.mu.Unlock()
				return srv.ok
			})
		})
	}
	for _, s := range stores {
		for range 2 {
			wg.Go(func() {
				for left.Load() > 0 && ctx.Err() == nil {
					g, err := s.Reserve(ctx, budget.Request{Now: now(), Cost: 1})
					if err != nil {
						if ctx.Err() == nil {
							t.Error(err)
						}
						return
					}
					if !g.OK {
						select {
						case <-time.After(g.Wait):
						case <-ctx.Done():
						}
						continue
					}
					if left.Add(-1) < 0 { // nothing left to send: give it back
						left.Add(1)
						_ = s.Cancel(ctx, g)
						return
					}
					sent := now()
					o := srv.handle(sent)
					if o.RateLimited {
						left.Add(1) // the job is retried
					}
					o.Sent, o.Received, o.Settle = sent, now(), g.Cost
					if err := s.Observe(ctx, o); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	st := e2eStats{ok: srv.ok, r429: srv.r429, violations: srv.violations, elapsed: time.Since(begin), finished: ctx.Err() == nil}
	st.used = float64(srv.ok) / (float64(st.elapsed) / float64(e2eWindow) * e2eLimit)
	t.Logf("3 processes × 2 workers, %d jobs, %d per %v: %d ok, %d 429s, %d Retry-After violations, %v, allowance used %.0f%%",
		e2eJobs, e2eLimit, e2eWindow, st.ok, st.r429, st.violations, st.elapsed.Round(time.Millisecond), 100*st.used)
	return st
}

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
	st := runBatch(t, []budget.Store{ss[0], ss[1], ss[2]}, ss[0].Now, nil)
	if !st.finished {
		t.Fatalf("batch did not finish in time")
	}
	if st.violations != 0 {
		t.Errorf("%d Retry-After violations", st.violations)
	}
	if st.r429 > 3 {
		t.Errorf("%d 429s, want at most 3", st.r429)
	}
	if st.ok != e2eJobs {
		t.Errorf("%d jobs accepted, want %d", st.ok, e2eJobs)
	}
	if st.used < 0.85 {
		t.Errorf("allowance used %.0f%%, want most of it", 100*st.used)
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
	st := runBatch(t, []budget.Store{ss[0], ss[1], ss[2]}, ss[0].Now, func(accepted func() int64) {
		// Conditions, not sleeps: Redis goes down once a window's worth
		// was accepted, and comes back once every process has noticed and
		// the batch went on without it for a few requests.
		until := func(cond func() bool) {
			for deadline := time.Now().Add(5 * time.Second); !cond() && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
		}
		until(func() bool { return accepted() >= e2eLimit })
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
	if !st.finished || st.ok != e2eJobs {
		for i, s := range ss {
			snap, err := s.Snapshot(bg)
			s.mu.Lock()
			f := s.f
			s.mu.Unlock()
			t.Logf("process %d at %v: %s; %+v (%v); books: redisOut %d localOut %d owed %d spent %d/%d capped %v %v",
				i, s.Now(), s.Status(), snap, err, f.redisOut, f.localOut, f.pendingSettle, f.sharedSpent, f.localSpent, f.capped, f.capEnd)
		}
		t.Fatalf("batch: finished %v, %d of %d jobs", st.finished, st.ok, e2eJobs)
	}
	if st.violations != 0 {
		t.Errorf("%d Retry-After violations", st.violations)
	}
	if st.r429 > 3 {
		t.Errorf("%d 429s, want at most 3", st.r429)
	}
	eventually(t, 3*time.Second, "all to reconnect", func() bool { return allConnected(ss) })
}
