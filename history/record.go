package history

import (
	"math"
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

// ObserveLimit buffers one observation of a limit. It is kept only when it
// differs from the last one kept for the series (remaining, limit, or reset
// by more than a second); observations within the same second fold into
// one point, so a series gets at most one point per second.
func (s *Store) ObserveLimit(se Series, remaining, limit float64, reset time.Time) {
	if math.IsNaN(remaining) || math.IsInf(remaining, 0) || math.IsNaN(limit) || math.IsInf(limit, 0) {
		return
	}
	at := s.opts.Now()
	p := Point{At: at.Truncate(time.Second), Remaining: remaining, Min: remaining, Max: remaining, Limit: limit, Reset: reset.Round(time.Second), N: 1}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.last[se]; ok && same(prev, p) {
		return
	}
	s.last[se] = p
	k := pointKey{se, p.At.Unix()}
	if cur, ok := s.points[k]; ok {
		s.points[k] = fold(cur, p)
		return
	}
	if len(s.points) >= s.opts.MaxBuffer {
		s.dropped++
		return
	}
	s.points[k] = p
}

// same reports whether p says nothing new after prev.
func same(prev, p Point) bool {
	d := prev.Reset.Sub(p.Reset)
	return prev.Remaining == p.Remaining && prev.Limit == p.Limit &&
		prev.Reset.IsZero() == p.Reset.IsZero() && d <= time.Second && d >= -time.Second
}

// ObserveSnapshot buffers every limit, the quota and the credits of one
// response's headers. Resets are turned into local instants (Received plus
// the server's "time until reset"), so every point is on the local clock.
func (s *Store) ObserveSnapshot(profile, org string, snap usage.Snapshot) {
	base := snap.Received
	if base.IsZero() {
		base = s.opts.Now()
	}
	resetAt := func(d *time.Duration) time.Time {
		if d == nil {
			return time.Time{}
		}
		return base.Add(*d)
	}
	for _, l := range snap.Limits {
		if l.Remaining == nil {
			continue
		}
		var lim float64
		if l.Limit != nil {
			lim = float64(*l.Limit)
		}
		s.ObserveLimit(Series{profile, org, RateName(l.Unit)}, float64(*l.Remaining), lim, resetAt(l.ResetAfter))
	}
	if q := snap.Quota; q != nil && q.Remaining != nil {
		var lim float64
		if q.Limit != nil {
			lim = float64(*q.Limit)
		}
		s.ObserveLimit(Series{profile, org, NameQuota}, float64(*q.Remaining), lim, resetAt(q.ResetAfter))
	}
	if snap.Credits != nil {
		s.ObserveLimit(Series{profile, org, NameCredits}, *snap.Credits, 0, time.Time{})
	}
}

// Count adds t to the tally of d in the current minute.
func (s *Store) Count(d Dims, t Tally) {
	k := tallyKey{d, s.opts.Now().Unix() / 60}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tallies[k] = s.tallies[k].Add(t)
}

// JobCreated records a job the server created: one write, its charge, and
// how long it waited in the queue before it was sent successfully.
func (s *Store) JobCreated(profile, org, model string, credits float64, waited time.Duration) {
	s.Count(Dims{profile, org, model, StatusCreated}, Tally{Created: 1, Writes: 1, Charged: credits, Waited: max(waited, 0)})
}

// JobFinished records a job reaching its final status; refunded is what the
// server gave back (a failed or canceled job's credits), 0 otherwise.
func (s *Store) JobFinished(profile, org, model, status string, refunded float64) {
	s.Count(Dims{profile, org, model, status}, Tally{Finished: 1, Refunded: max(refunded, 0)})
}

// Throttled records a 429 drawn and the wait it imposed.
func (s *Store) Throttled(profile, org, model string, wait time.Duration) {
	s.Count(Dims{Profile: profile, Org: org, Model: model}, Tally{Throttled: 1, RetryWait: max(wait, 0)})
}

// Wrote records a write that did not create a job (a cancel, a refused
// create that still counted against the quota).
func (s *Store) Wrote(profile, org, model string) {
	s.Count(Dims{Profile: profile, Org: org, Model: model}, Tally{Writes: 1})
}
