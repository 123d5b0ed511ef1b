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

// unavailable counts 503s with Retry-After since the last answer that was
// not one; from the second in a row their Retry-After holds the org.
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
	if s.unavail >= 2 {
		o.RetryAfter = max(o.RetryAfter, *ae.Snapshot.RetryAfter)
	}
}
