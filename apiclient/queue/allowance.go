package queue

import (
	"slices"
	"time"
)

// Allowance is the share of the rate allowance our requests used during the
// creation phase: over the server windows from the first to the last one in
// which a create was answered. Since submit now waits for every job to end,
// the windows after the last create hold only a few tracking reads; counting
// them would measure how long the jobs ran, not how well the scheduler used
// the allowance while creates were waiting. Reads answered inside the
// creation windows count, since they shared that allowance. The first and
// last windows are partial (the phase starts and ends inside them) and are
// left out when there are at least three; windows in between where we sent
// nothing count as unused. With no create answered (a tracking-only run),
// every window counts. window is the window length (budget.State.Window);
// limit per window comes from the responses. 0 when nothing is known.
func (s *Scheduler) Allowance(window time.Duration) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stats.Limit <= 0 || len(s.perWindow) == 0 || window <= 0 {
		return 0
	}
	ids := make([]time.Time, 0, len(s.perWindow))
	for id := range s.perWindow {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b time.Time) int { return a.Compare(b) })
	if !s.createFirst.IsZero() {
		ids = slices.DeleteFunc(ids, func(id time.Time) bool {
			return id.Before(s.createFirst) || id.After(s.createLast)
		})
	}
	if len(ids) >= 3 {
		first, last := ids[1], ids[len(ids)-2]
		n := int64(last.Sub(first)/window) + 1
		var units int64
		for _, id := range ids[1 : len(ids)-1] {
			units += s.perWindow[id]
		}
		return min(1, float64(units)/float64(s.stats.Limit*n))
	}
	var units int64
	for _, id := range ids {
		units += s.perWindow[id]
	}
	span := s.stats.LastRecv.Sub(s.stats.FirstSent)
	if !s.createFirst.IsZero() {
		span = s.createLastRecv.Sub(s.stats.FirstSent)
	}
	w := max(float64(span)/float64(window), 1)
	return min(1, float64(units)/(float64(s.stats.Limit)*w))
}

// noteCreate records the window of an answered create (under s.mu), so
// Allowance can bound the creation phase.
func (s *Scheduler) noteCreate(win, recv time.Time) {
	if s.createFirst.IsZero() || win.Before(s.createFirst) {
		s.createFirst = win
	}
	if win.After(s.createLast) {
		s.createLast = win
	}
	s.createLastRecv = recv
}
