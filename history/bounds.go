package history

import (
	bolt "go.etcd.io/bbolt"
)

// Bounds returns the series' oldest and newest points, stored or buffered:
// when abtop began observing the limit, and what it saw last (a
// forecast's starting level). ok is false when the series has no point.
// Each tier's bucket is ordered by time, so this reads two keys per tier,
// not the series.
func (s *Store) Bounds(se Series) (first, last Point, ok bool, err error) {
	take := func(p Point) {
		if !ok || p.At.Before(first.At) {
			first = p
		}
		if !ok || !p.At.Before(last.At) {
			last = p
		}
		ok = true
	}
	err = s.view(func(tx *bolt.Tx) error {
		return eachTier(tx, se, func(_ tier, c *bolt.Cursor) {
			for _, kv := range [2][2][]byte{kvOf(c.First()), kvOf(c.Last())} {
				if at, good := keyTime(kv[0]); good {
					if p, err := decodePoint(at, kv[1]); err == nil {
						take(p)
					}
				}
			}
		})
	})
	if err != nil {
		return Point{}, Point{}, false, err
	}
	s.mu.Lock()
	for k, p := range s.points {
		if k.s == se {
			take(p)
		}
	}
	s.mu.Unlock()
	return first, last, ok, nil
}

func kvOf(k, v []byte) [2][]byte { return [2][]byte{k, v} }
