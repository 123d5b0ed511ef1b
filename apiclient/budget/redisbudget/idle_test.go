package redisbudget

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// Issue 17: three "abtop submit --limiter redis://…" processes sharing one
// budget left whole windows idle (requests per 2 s window like
// [20 2 0 19 19 6]). The cause: before the first answer, the budget let
// one request out and told every other caller to wait the plan's pace (the
// Free plan's 60 s / 10 = 6 s). A scheduler is woken early only by its
// own process's answers, so the two processes whose first Reserve came
// while the first process's request was in flight slept 6 s, while the
// first process spent one window alone and ran out of jobs.
//
// simBatch replays that on a virtual clock, deterministically: each
// simulated process has its own Store and four workers that loop
// Reserve → send → Observe and sleep a refused Reserve's wait, woken early
// only by an answer to their own process (as queue.Scheduler does), against
// a server with the sandbox's windows and headers (fixed 2 s windows
// aligned on the clock, 20 requests each, Date and X-RateLimit-Reset of
// second resolution, no stated window length).

const (
	simWindow  = 2 * time.Second
	simLimit   = 20
	simLatency = 8 * time.Millisecond
)

// simServer counts accepted requests per window (by window index).
type simServer struct {
	counts  map[int64]int64
	embargo time.Time
	r429    int
	early   int // requests inside a Retry-After
}

func (s *simServer) handle(at time.Time) budget.Observation {
	idx := at.UnixNano() / int64(simWindow)
	end := time.Unix(0, (idx+1)*int64(simWindow)).UTC()
	date := at.Truncate(time.Second)
	o := budget.Observation{HasRate: true, Limit: simLimit, HasReset: true, ResetAfter: end.Sub(date), WindowID: end}
	if at.Before(s.embargo) {
		s.early++
	}
	if s.counts[idx] >= simLimit {
		s.r429++
		o.RateLimited = true
		o.RetryAfter = end.Sub(date) // whole seconds, never early
		s.embargo = end
		return o
	}
	s.counts[idx]++
	o.Remaining = simLimit - s.counts[idx]
	return o
}

type simWorker struct {
	proc     int
	next     time.Time
	inFlight bool
	waiting  bool
	done     bool
	g        budget.Grant
	sent     time.Time
	answer   budget.Observation
}

// simBatch sends jobs requests from each store's process, starting at
// start, and returns the accepted requests per window from the first to
// the last, and the server.
func simBatch(t *testing.T, stores []budget.Store, jobs int, start time.Time) ([]int64, *simServer) {
	t.Helper()
	srv := &simServer{counts: map[int64]int64{}}
	left := make([]int, len(stores))
	var ws []*simWorker
	for p := range stores {
		left[p] = jobs
		for range 4 {
			ws = append(ws, &simWorker{proc: p, next: start})
		}
	}
	deadline := start.Add(time.Minute)
	for {
		var w *simWorker
		for _, c := range ws {
			if !c.done && (w == nil || c.next.Before(w.next)) {
				w = c
			}
		}
		if w == nil {
			break
		}
		now := w.next
		if now.After(deadline) {
			t.Fatalf("batch not done after %v of virtual time; jobs left per process %v", deadline.Sub(start), left)
		}
		s := stores[w.proc]
		switch {
		case w.inFlight:
			o := w.answer
			o.Sent, o.Received, o.Settle, o.Units = w.sent, now, w.g.Cost, w.g.Units
			if err := s.Observe(bg, o); err != nil {
				t.Fatal(err)
			}
			if o.RateLimited {
				left[w.proc]++ // retried
			}
			w.inFlight = false
			for _, c := range ws { // the scheduler's wake: this process only
				if c.proc == w.proc && c.waiting && now.Before(c.next) {
					c.next = now
				}
			}
		case left[w.proc] == 0:
			w.done = true
		default:
			g, err := s.Reserve(bg, budget.Request{Now: now, Cost: 1, Write: true})
			if err != nil {
				t.Fatal(err)
			}
			if !g.OK {
				if g.Blocked || g.Wait <= 0 {
					t.Fatalf("Reserve at %v: %+v", now.Sub(start), g)
				}
				w.waiting, w.next = true, now.Add(g.Wait)
				continue
			}
			left[w.proc]--
			w.waiting, w.inFlight, w.g, w.sent = false, true, g, now
			w.answer = srv.handle(now.Add(simLatency / 2))
			w.next = now.Add(simLatency)
		}
	}
	first, last := int64(-1), int64(-1)
	for idx := range srv.counts {
		if first < 0 || idx < first {
			first = idx
		}
		last = max(last, idx)
	}
	var per []int64
	for idx := first; idx <= last; idx++ {
		per = append(per, srv.counts[idx])
	}
	return per, srv
}

// TestNoWindowIdlesBeforeTheFirstAnswer: three processes starting together
// fill every whole window of their batch, on the Redis store and on the
// in-process one (the decisions are State's, the same for both).
func TestNoWindowIdlesBeforeTheFirstAnswer(t *testing.T) {
	// 0.376 s into a window, as a batch starts at any phase.
	start := time.Date(2026, 11, 24, 12, 0, 0, 376_000_000, time.UTC)
	check := func(t *testing.T, stores []budget.Store) {
		per, srv := simBatch(t, stores, 40, start)
		t.Logf("accepted requests per window: %v; 429s %d", per, srv.r429)
		if srv.early != 0 || srv.r429 > 1 {
			t.Errorf("%d requests inside a Retry-After, %d 429s; want 0 and at most 1", srv.early, srv.r429)
		}
		// The first and last windows are partial (the batch starts and
		// ends in them); every one between must be (nearly) full.
		for i := 1; i < len(per)-1; i++ {
			if per[i] < simLimit-1 {
				t.Errorf("window %d of %v accepted %d requests, want ≥ %d", i, per, per[i], simLimit-1)
			}
		}
		if len(per) > 3*40/simLimit+2 {
			t.Errorf("3×40 requests took %d windows (%v), want at most %d", len(per), per, 3*40/simLimit+2)
		}
	}
	t.Run("redis", func(t *testing.T) {
		srv := startRedis(t)
		ss := threeProcesses(t, srv.URL(), "idle")
		for i := range ss {
			// The Free plan, as abtop submit starts from (its pace is the
			// slowest: 6 s between requests before the first answer).
			ss[i].opts.Plan = budget.PlanNamed("free")
		}
		check(t, []budget.Store{ss[0], ss[1], ss[2]})
	})
	t.Run("memory", func(t *testing.T) {
		m := budget.NewMemory(budget.PlanNamed("free"))
		check(t, []budget.Store{m, m, m})
	})
}

// TestUnsharedStoresCollide is the comparison for the shared store: the
// same three processes, each with its own in-process store, collide in
// every window (each takes the others' requests for room of its own),
// while sharing through Redis draws at most one 429. On the virtual clock
// the figures are exact, so they are asserted, not just logged.
func TestUnsharedStoresCollide(t *testing.T) {
	start := time.Date(2026, 11, 24, 12, 0, 0, 376_000_000, time.UTC)
	srv := startRedis(t)
	ss := threeProcesses(t, srv.URL(), "collide")
	shared := []budget.Store{ss[0], ss[1], ss[2]}
	free := budget.PlanNamed("free")
	unshared := []budget.Store{budget.NewMemory(free), budget.NewMemory(free), budget.NewMemory(free)}
	perS, s := simBatch(t, shared, 40, start)
	perU, u := simBatch(t, unshared, 40, start)
	t.Logf("shared: %v per window, %d 429s, %d inside a Retry-After; unshared: %v, %d 429s, %d inside a Retry-After",
		perS, s.r429, s.early, perU, u.r429, u.early)
	if s.r429 > 1 || s.early != 0 {
		t.Errorf("shared: %d 429s, %d requests inside a Retry-After; want at most 1 and 0", s.r429, s.early)
	}
	if u.r429 < 3 || u.r429 <= s.r429 {
		t.Errorf("unshared stores drew %d 429s (shared %d): want several more, or the comparison shows nothing", u.r429, s.r429)
	}
}
