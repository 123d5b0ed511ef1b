package history

import (
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// view runs fn in a read transaction; no file means no history (fn is
// not called).
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	db, err := s.open(true)
	if err != nil || db == nil {
		return err
	}
	defer db.Close()
	return db.View(fn)
}

// ListSeries returns every series with stored points, sorted.
func (s *Store) ListSeries() ([]Series, error) {
	seen := map[Series]bool{}
	err := s.view(func(tx *bolt.Tx) error {
		for _, t := range tiers {
			if err := forEachSeries(tx, t, func(name []byte, _ *bolt.Bucket) error {
				if p, ok := splitNames(name, 3); ok {
					seen[Series{p[0], p[1], p[2]}] = true
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	out := make([]Series, 0, len(seen))
	for se := range seen {
		out = append(out, se)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Profile != b.Profile {
			return a.Profile < b.Profile
		}
		if a.Org != b.Org {
			return a.Org < b.Org
		}
		return a.Name < b.Name
	})
	return out, err
}

// Points returns the series' stored and still buffered points in
// [from, to), folded into spans of step aligned to Unix time (so a chart
// does not shimmer between refreshes), oldest first. step ≤ 1 s returns
// every stored point. Each span keeps its last value, its extremes and the
// coarsest resolution present: a span that reaches into downsampled time
// is only as fine as the store still is.
func (s *Store) Points(se Series, from, to time.Time, step time.Duration) ([]Point, error) {
	if !from.Before(to) {
		return nil, fmt.Errorf("history: empty range %v … %v", from, to)
	}
	var all []Point
	err := s.view(func(tx *bolt.Tx) error {
		return eachTier(tx, se, func(t tier, c *bolt.Cursor) {
			start := tsKey(from.Truncate(t.res))
			for k, v := c.Seek(start); k != nil; k, v = c.Next() {
				at, ok := keyTime(k)
				if !ok || !at.Before(to) {
					break
				}
				if p, err := decodePoint(at, v); err == nil {
					all = append(all, p)
				}
			}
		})
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	for k, p := range s.points {
		if k.s == se && !p.At.Before(from) && p.At.Before(to) {
			all = append(all, p)
		}
	}
	s.mu.Unlock()
	sort.SliceStable(all, func(i, j int) bool { return all[i].At.Before(all[j].At) })
	if step <= time.Second {
		return all, nil
	}
	var out []Point
	for _, p := range all {
		p.At = p.At.Truncate(step)
		if n := len(out); n > 0 && out[n-1].At.Equal(p.At) {
			out[n-1] = fold(out[n-1], p)
		} else {
			out = append(out, p)
		}
	}
	return out, nil
}

// eachTier calls fn with a cursor over the series' points in every tier
// that holds any, finest first.
func eachTier(tx *bolt.Tx, se Series, fn func(t tier, c *bolt.Cursor)) error {
	for _, t := range tiers {
		b, err := seriesBucket(tx, t, se, false)
		if err != nil {
			return err
		}
		if b != nil {
			fn(t, b.Cursor())
		}
	}
	return nil
}

// Rows returns the tallies of [from, to), stored and buffered, oldest first
// (ties in Dims order). Rows older than the per-minute retention are per
// hour, so a range should start on the hour to be exact there.
func (s *Store) Rows(from, to time.Time) ([]Row, error) {
	if !from.Before(to) {
		return nil, fmt.Errorf("history: empty range %v … %v", from, to)
	}
	var out []Row
	err := s.view(func(tx *bolt.Tx) error {
		names := map[string]Dims{}
		ids, err := nested(tx, false, bucketDimIDs)
		if err != nil || ids == nil {
			return err
		}
		for _, t := range [...]tier{tierMinute, tierHour} {
			b, err := tallyBucket(tx, t, false)
			if err != nil {
				return err
			}
			if b == nil {
				continue
			}
			c := b.Cursor()
			for k, v := c.Seek(tsKey(from)); k != nil; k, v = c.Next() {
				at, ok := keyTime(k)
				if !ok || !at.Before(to) {
					break
				}
				d, ok := names[string(k[4:])]
				if !ok {
					p, good := splitNames(ids.Get(k[4:]), 4)
					if !good {
						continue
					}
					d = Dims{p[0], p[1], p[2], p[3]}
					names[string(k[4:])] = d
				}
				if t, err := decodeTally(v); err == nil {
					out = append(out, Row{At: at, Dims: d, Tally: t})
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	for k, t := range s.tallies {
		at := time.Unix(k.min*60, 0).UTC()
		if !at.Before(from) && at.Before(to) {
			out = append(out, Row{At: at, Dims: k.d, Tally: t})
		}
	}
	s.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return joinNames(out[i].Profile, out[i].Org, out[i].Model, out[i].Status) <
			joinNames(out[j].Profile, out[j].Org, out[j].Model, out[j].Status)
	})
	return out, nil
}
