package history

import (
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maybeCompact applies retention when no process on the machine has done
// so for CompactEvery (the stamp lives in the file, so with ten abtop
// processes it still runs once per interval, not ten times).
func (s *Store) maybeCompact(tx *bolt.Tx, now time.Time) error {
	meta, err := nested(tx, true, bucketMeta)
	if err != nil {
		return err
	}
	if v := meta.Get(keyCompacted); len(v) == 8 {
		last := time.Unix(int64(binary.BigEndian.Uint64(v)), 0)
		if now.Sub(last) < s.opts.CompactEvery && !now.Before(last) {
			return nil
		}
	}
	if err := s.compact(tx, now); err != nil {
		return err
	}
	return meta.Put(keyCompacted, binary.BigEndian.AppendUint64(nil, uint64(max(now.Unix(), 0))))
}

// compact folds what has aged out of each tier into the next one and drops
// what has aged out of the last. Cutoffs are aligned to the coarser tier's
// resolution so a span is folded in one go (folding a span in two goes
// would give the same point, since putPoint folds into what is stored).
func (s *Store) compact(tx *bolt.Tx, now time.Time) error {
	r := s.opts.Retention
	if err := foldPoints(tx, tierRaw, tierMinute, now.Add(-r.Raw)); err != nil {
		return err
	}
	if err := foldPoints(tx, tierMinute, tierHour, now.Add(-r.Minute)); err != nil {
		return err
	}
	if err := dropPoints(tx, tierHour, now.Add(-r.Hour)); err != nil {
		return err
	}
	if err := foldTallies(tx, now.Add(-r.Minute)); err != nil {
		return err
	}
	tb, err := tallyBucket(tx, tierHour, false)
	if err != nil || tb == nil {
		return err
	}
	return dropBefore(tb, now.Add(-r.Hour))
}

func forEachSeries(tx *bolt.Tx, t tier, fn func(name []byte, b *bolt.Bucket) error) error {
	tb, err := nested(tx, false, bucketPoints, t.name)
	if err != nil || tb == nil {
		return err
	}
	var names [][]byte
	if err := tb.ForEachBucket(func(k []byte) error {
		names = append(names, append([]byte(nil), k...))
		return nil
	}); err != nil {
		return err
	}
	for _, n := range names {
		if err := fn(n, tb.Bucket(n)); err != nil {
			return err
		}
	}
	return nil
}

func foldPoints(tx *bolt.Tx, from, to tier, cutoff time.Time) error {
	cutoff = cutoff.Truncate(to.res)
	return forEachSeries(tx, from, func(name []byte, b *bolt.Bucket) error {
		var folded []Point
		var keys [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			at, ok := keyTime(k)
			if !ok || !at.Before(cutoff) {
				break
			}
			keys = append(keys, append([]byte(nil), k...))
			p, err := decodePoint(at, v)
			if err != nil {
				continue // unreadable: dropped with its tier
			}
			p.At = at.Truncate(to.res)
			if n := len(folded); n > 0 && folded[n-1].At.Equal(p.At) {
				folded[n-1] = fold(folded[n-1], p)
			} else {
				folded = append(folded, p)
			}
		}
		if len(keys) == 0 {
			return nil
		}
		dst, err := nested(tx, true, bucketPoints, to.name, name)
		if err != nil {
			return err
		}
		for _, p := range folded {
			if err := putPoint(dst, p); err != nil {
				return err
			}
		}
		return deleteKeys(b, keys)
	})
}

func dropPoints(tx *bolt.Tx, t tier, cutoff time.Time) error {
	return forEachSeries(tx, t, func(_ []byte, b *bolt.Bucket) error { return dropBefore(b, cutoff) })
}

// foldTallies moves minute tallies older than cutoff into hour tallies.
func foldTallies(tx *bolt.Tx, cutoff time.Time) error {
	cutoff = cutoff.Truncate(time.Hour)
	src, err := tallyBucket(tx, tierMinute, false)
	if err != nil || src == nil {
		return err
	}
	type hk struct {
		hour int64
		id   string
	}
	sums := map[hk]Tally{}
	var order []hk
	var keys [][]byte
	c := src.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		at, ok := keyTime(k)
		if !ok || !at.Before(cutoff) {
			break
		}
		keys = append(keys, append([]byte(nil), k...))
		t, err := decodeTally(v)
		if err != nil || len(k) != 8 {
			continue
		}
		key := hk{at.Truncate(time.Hour).Unix(), string(k[4:])}
		if _, ok := sums[key]; !ok {
			order = append(order, key)
		}
		sums[key] = sums[key].Add(t)
	}
	if len(keys) == 0 {
		return nil
	}
	dst, err := tallyBucket(tx, tierHour, true)
	if err != nil {
		return err
	}
	for _, key := range order {
		if err := addTally(dst, time.Unix(key.hour, 0), []byte(key.id), sums[key]); err != nil {
			return err
		}
	}
	return deleteKeys(src, keys)
}

func dropBefore(b *bolt.Bucket, cutoff time.Time) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if at, ok := keyTime(k); ok && !at.Before(cutoff) {
			break
		}
		keys = append(keys, append([]byte(nil), k...))
	}
	return deleteKeys(b, keys)
}

// deleteKeys deletes after iterating: deleting under a live cursor makes
// bbolt skip the next key.
func deleteKeys(b *bolt.Bucket, keys [][]byte) error {
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
