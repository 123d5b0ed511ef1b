package queue

import (
	"slices"
	"time"
)

// Allowance is the share of the rate allowance our requests used, over the
// server windows the batch spanned: the first and last windows are partial
// (the batch starts and ends inside them) and are left out when there are
// at least three; windows in between where we sent nothing count as unused.
// window is the window length (budget.State.Window); limit per window comes
// from the responses. 0 when nothing is known.
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
	if len(ids) >= 3 {
		first, last := ids[1], ids[len(ids)-2]
		n := int64(last.Sub(first)/window) + 1
		var units int64
		for _, id := range ids[1 : len(ids)-1] {
			units += s.perWindow[id]
		}
		return min(1, float64(units)/float64(s.stats.Limit*n))
	}
	span := s.stats.LastRecv.Sub(s.stats.FirstSent)
	w := max(float64(span)/float64(window), 1)
	return min(1, float64(s.stats.Units)/(float64(s.stats.Limit)*w))
}
