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

// downAfter is how many 503s with Retry-After in a row mean the service
// is down, so that their Retry-After holds the org. Fewer are single
// requests' faults (a proxy's page): each waits alone. Two in a row come
// by chance too often: with 10 % of answers a proxy's 503 page, holding
// the org 5 s at every pair made a 30 s batch take 39 s; at three (p³,
// a pair only every thousand requests at 10 %) it takes 33 s, and a
// service really down is still recognised by its third answer.
const downAfter = 3

// unavailable counts 503s with Retry-After since the last answer that was
// not one; from downAfter in a row their Retry-After holds the org.
func (s *Scheduler) unavailable(o *budget.Observation, err error) {
	var ae *apiclient.Error
	is503 := errors.As(err, &ae) && ae.Status == http.StatusServiceUnavailable && ae.Snapshot.RetryAfter != nil
	s.mu.Lock()
	defer s.mu.Unlock()
	if !is503 {
		if err == nil || errors.As(err, &ae) {
			s.unavail = 0
		}
		return
	}
	s.unavail++
	if s.unavail >= downAfter {
		o.RetryAfter = max(o.RetryAfter, *ae.Snapshot.RetryAfter)
	}
}
