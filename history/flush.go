package history

import (
	"context"
	"encoding/binary"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Flush writes the buffer in one short transaction and, when due, applies
// retention. On failure (the file stayed locked, the disk is full) the
// buffer is kept for the next Flush.
func (s *Store) Flush() error {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.mu.Lock()
	points, tallies := s.points, s.tallies
	s.points, s.tallies = map[pointKey]Point{}, map[tallyKey]Tally{}
	s.mu.Unlock()
	if len(points) == 0 && len(tallies) == 0 {
		return nil
	}
	err := s.write(points, tallies)
	if err != nil {
		s.restore(points, tallies)
	}
	return err
}

// Run flushes every interval until ctx ends, then flushes once more.
// Errors are handed to onErr (may be nil): history never stops abtop.
func (s *Store) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.Flush(); err != nil && onErr != nil {
				onErr(err)
			}
			return
		case <-t.C:
			if err := s.Flush(); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}

// restore puts an unwritten buffer back in front of what arrived since.
func (s *Store) restore(points map[pointKey]Point, tallies map[tallyKey]Tally) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, p := range points {
		if cur, ok := s.points[k]; ok {
			p = fold(p, cur)
		} else if len(s.points) >= s.opts.MaxBuffer {
			s.dropped++
			continue
		}
		s.points[k] = p
	}
	for k, t := range tallies {
		s.tallies[k] = t.Add(s.tallies[k])
	}
}

func (s *Store) write(points map[pointKey]Point, tallies map[tallyKey]Tally) error {
	db, err := s.open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	now := s.opts.Now()
	return db.Update(func(tx *bolt.Tx) error {
		for k, p := range points {
			b, err := seriesBucket(tx, tierRaw, k.s, true)
			if err != nil {
				return err
			}
			if err := putPoint(b, p); err != nil {
				return err
			}
		}
		tb, err := tallyBucket(tx, tierMinute, true)
		if err != nil {
			return err
		}
		for k, t := range tallies {
			id, err := dimID(tx, k.d)
			if err != nil {
				return err
			}
			if err := addTally(tb, time.Unix(k.min*60, 0), id, t); err != nil {
				return err
			}
		}
		return s.maybeCompact(tx, now)
	})
}

// putPoint stores p, folding it after a point already stored for the same
// span (another process, or an earlier flush, observed it first).
func putPoint(b *bolt.Bucket, p Point) error {
	k := tsKey(p.At)
	if v := b.Get(k); v != nil {
		if old, err := decodePoint(p.At, v); err == nil {
			p = fold(old, p)
		}
	}
	return b.Put(k, encodePoint(p))
}

func addTally(b *bolt.Bucket, at time.Time, id []byte, t Tally) error {
	k := append(tsKey(at), id...)
	if v := b.Get(k); v != nil {
		if old, err := decodeTally(v); err == nil {
			t = old.Add(t)
		}
	}
	return b.Put(k, encodeTally(t))
}

// nested returns the bucket at path, creating it when create is set; nil
// when it does not exist and create is not set.
func nested(tx *bolt.Tx, create bool, path ...[]byte) (*bolt.Bucket, error) {
	var b *bolt.Bucket
	for i, name := range path {
		var next *bolt.Bucket
		if i == 0 {
			next = tx.Bucket(name)
		} else {
			next = b.Bucket(name)
		}
		if next == nil {
			if !create {
				return nil, nil
			}
			var err error
			if i == 0 {
				next, err = tx.CreateBucket(name)
			} else {
				next, err = b.CreateBucket(name)
			}
			if err != nil {
				return nil, err
			}
		}
		b = next
	}
	// Keys are appended in time order: pack pages full instead of half.
	b.FillPercent = 0.95
	return b, nil
}

func seriesBucket(tx *bolt.Tx, t tier, se Series, create bool) (*bolt.Bucket, error) {
	return nested(tx, create, bucketPoints, t.name, []byte(joinNames(se.Profile, se.Org, se.Name)))
}

func tallyBucket(tx *bolt.Tx, t tier, create bool) (*bolt.Bucket, error) {
	return nested(tx, create, bucketTallies, t.name)
}

// joinNames joins names with NUL, which no profile, org or model name
// holds (a NUL in one is replaced so keys cannot be forged).
func joinNames(names ...string) string {
	for i, n := range names {
		names[i] = strings.ReplaceAll(n, "\x00", "\uFFFD")
	}
	return strings.Join(names, "\x00")
}

func splitNames(k []byte, n int) ([]string, bool) {
	parts := strings.Split(string(k), "\x00")
	return parts, len(parts) == n
}

// dimID returns the 4-byte id of d, assigning one the first time.
func dimID(tx *bolt.Tx, d Dims) ([]byte, error) {
	byName, err := nested(tx, true, bucketDims)
	if err != nil {
		return nil, err
	}
	name := []byte(joinNames(d.Profile, d.Org, d.Model, d.Status))
	if id := byName.Get(name); len(id) == 4 {
		return append([]byte(nil), id...), nil
	}
	byID, err := nested(tx, true, bucketDimIDs)
	if err != nil {
		return nil, err
	}
	seq, err := byName.NextSequence()
	if err != nil {
		return nil, err
	}
	id := binary.BigEndian.AppendUint32(nil, uint32(seq))
	if err := byName.Put(name, id); err != nil {
		return nil, err
	}
	return id, byID.Put(id, name)
}
