package queue

import (
	"context"
	"errors"
	"net/http"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
)

// Pacing says in words what the budget learned that no response stated
// (a rate learned from hint-less 429s), "" when nothing.
func (s *Scheduler) Pacing(ctx context.Context) string {
	st, err := s.opts.Store.Snapshot(ctx)
	if err != nil {
		return ""
	}
	s.mu.Lock()
	unit := "req"
	if s.points {
		unit = "points"
	}
	s.mu.Unlock()
	return st.LearnedText(unit)
}

// downAfter is how many attempts sent one after another, all answered
// with a 503 with Retry-After, mean the service is down, so that their
// Retry-After holds the org. Fewer are single requests' faults (a
// proxy's page): each waits alone. Two in a row come by chance too
// often: with 10 % of answers a proxy's 503 page, holding the org 5 s at
// every pair made a 30 s batch take 39 s. Three (p³ per attempt) still
// came in about one batch of 1,200 requests in fifty at 2.5 % 503 pages,
// BenchmarkSubmit's seed among them: the org idled 5 s, 4.5 % of the
// allowance. Four (p⁴, one batch in two thousand) costs a service that
// is really down one more page before the org waits.
const downAfter = 4

// unavailable holds the org for a 503's Retry-After when the downAfter
// attempts sent one after another around this one (attempt number n) all
// drew a 503 with Retry-After. In the order the attempts went out, not
// the order their answers came back: the 20 requests of a window leave
// at once and a proxy's page comes back sooner than the API's answer, so
// a count of 503s in a row among answers (reset by any other answer, and
// not by a transport failure) reached three with the service up in 2 runs
// in 6 of BenchmarkSubmit under 20 % faults, holding the org 5 s and
// costing 3 % of the allowance each time.
func (s *Scheduler) unavailable(o *budget.Observation, err error, n uint64) {
	var ae *apiclient.Error
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Snapshot.RetryAfter == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for m := range s.unavail {
		if m+recent503 < n {
			delete(s.unavail, m)
		}
	}
	s.unavail[n] = struct{}{}
	run := 1
	for m := n - 1; m > 0 && s.has503(m); m-- {
		run++
	}
	for m := n + 1; s.has503(m); m++ {
		run++
	}
	if run >= downAfter {
		o.RetryAfter = max(o.RetryAfter, *ae.Snapshot.RetryAfter)
	}
}

// recent503 bounds the attempts unavail remembers: far more than a run
// of downAfter needs, even with answers coming back out of order.
const recent503 = 256

func (s *Scheduler) has503(n uint64) bool {
	_, ok := s.unavail[n]
	return ok
}
