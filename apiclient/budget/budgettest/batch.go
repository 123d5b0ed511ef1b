package budgettest

import (
	"context"
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

// Batch is the outcome of RunBatch.
type Batch struct {
	OK, R429, Violations int64
	Elapsed              time.Duration
	// Used is the fraction of the allowance (limit per window over the
	// elapsed time) the accepted jobs took.
	Used     float64
	Finished bool
}

// Batch sizes of RunBatch: 80 jobs, four windows' worth.
const (
	BatchWindow = 300 * time.Millisecond
	BatchLimit  = 20
	BatchJobs   = 80
)

// RunBatch runs BatchJobs through stores (one per simulated process, each
// with two workers looping Reserve → send → Observe as the scheduler does)
// against one fixed-window server, in real time (about a second and a
// half), and logs the outcome. A store shared between processes must end
// with every job accepted once, no Retry-After violation and at most a
// 429 or so; unshared stores draw many.
func RunBatch(t *testing.T, stores []budget.Store, now func() time.Time) Batch {
	return RunBatchDuring(t, stores, now, nil)
}

// RunBatchDuring is RunBatch with during, if not nil, running alongside
// the workers with a function that returns the requests the server has
// accepted so far: the hook a test uses to break something mid-batch (stop
// Redis once a window's worth went through, restart it later). The batch
// ends when its jobs are sent and during has returned.
func RunBatchDuring(t *testing.T, stores []budget.Store, now func() time.Time, during func(accepted func() int64)) Batch {
	srv := &fixedWindowServer{start: now(), window: BatchWindow, limit: BatchLimit, count: map[int64]int64{}}
	var left atomic.Int64
	left.Store(BatchJobs)
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
	srv.mu.Lock()
	b := Batch{OK: srv.ok, R429: srv.r429, Violations: srv.violations, Elapsed: time.Since(begin), Finished: ctx.Err() == nil}
	srv.mu.Unlock()
	b.Used = float64(b.OK) / (float64(b.Elapsed) / float64(BatchWindow) * BatchLimit)
	t.Logf("%d processes × 2 workers, %d jobs, %d per %v: %d ok, %d 429s, %d Retry-After violations, %v, allowance used %.0f%%",
		len(stores), BatchJobs, BatchLimit, BatchWindow, b.OK, b.R429, b.Violations, b.Elapsed.Round(time.Millisecond), 100*b.Used)
	return b
}
