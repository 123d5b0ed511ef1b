package history

import (
	"math"
	"strings"
	"time"
)

// Chart is a span of one profile's history in n equal buckets, oldest
// first: what the dashboard's zoomed chart draws.
type Chart struct {
	Remaining []float64 // lowest remaining rate budget per bucket; NaN: nothing recorded
	Limit     float64   // the last rate limit seen; 0 when unknown
	Jobs      []float64 // jobs created per bucket
	Throttled []bool    // a 429 was drawn in the bucket
}

// ChartOf reads [from, to) of profile and org into n buckets: the rate
// series (requests, else points) and the job and 429 tallies.
func (s *Store) ChartOf(profile, org string, from, to time.Time, n int) (Chart, error) {
	n = max(n, 1)
	c := Chart{Remaining: make([]float64, n), Jobs: make([]float64, n), Throttled: make([]bool, n)}
	for i := range c.Remaining {
		c.Remaining[i] = math.NaN()
	}
	step := to.Sub(from) / time.Duration(n)
	if step <= 0 {
		return c, nil
	}
	bucket := func(at time.Time) int {
		i := int(at.Sub(from) / step)
		if i < 0 || i >= n {
			return -1
		}
		return i
	}
	series, err := s.ListSeries()
	if err != nil {
		return c, err
	}
	for _, se := range series {
		if se.Profile != profile || se.Org != org || !strings.HasPrefix(se.Name, ratePrefix) {
			continue
		}
		pts, err := s.Points(se, from, to, time.Second)
		if err != nil {
			return c, err
		}
		for _, p := range pts {
			if i := bucket(p.At); i >= 0 && (math.IsNaN(c.Remaining[i]) || p.Min < c.Remaining[i]) {
				c.Remaining[i] = p.Min
			}
			if p.Limit > 0 {
				c.Limit = p.Limit
			}
		}
		break // the first rate series of the profile is the one its gauges show
	}
	rows, err := s.Rows(from, to)
	if err != nil {
		return c, err
	}
	for _, r := range rows {
		if r.Profile != profile || r.Org != org {
			continue
		}
		if i := bucket(r.At); i >= 0 {
			c.Jobs[i] += float64(r.Created)
			c.Throttled[i] = c.Throttled[i] || r.Throttled > 0
		}
	}
	return c, nil
}
