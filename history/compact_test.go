package history

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestRetentionFoldsAndDrops(t *testing.T) {
	c := &clock{t: t0}
	s := newStore(t, "", c)
	// Day 0: a point every second for 3 minutes, and a job a minute.
	for i := range 180 {
		s.ObserveLimit(rate, float64(i%60), 60, time.Time{})
		if i%60 == 0 {
			s.JobCreated("p", "o", "flux", 2, time.Second)
		}
		c.Add(time.Second)
	}
	mustFlush(t, s)
	all := func(step time.Duration) []Point {
		t.Helper()
		p, err := s.Points(rate, t0.Add(-time.Hour), t0.Add(time.Hour), step)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if n := len(all(0)); n != 180 {
		t.Fatalf("%d raw points, want 180", n)
	}

	// Three days later the raw points are per-minute points.
	c.Add(72 * time.Hour)
	s.ObserveLimit(rate, 1, 60, time.Time{})
	mustFlush(t, s)
	pts := all(0)
	if len(pts) != 3 {
		t.Fatalf("after 72 h: %d points, want 3 minutes: %+v", len(pts), pts)
	}
	for i, p := range pts {
		if p.N != 60 || p.Min != 0 || p.Max != 59 || p.Remaining != 59 || !p.At.Equal(t0.Add(time.Duration(i)*time.Minute)) {
			t.Errorf("minute %d = %+v, want 60 observations 0…59 ending at 59", i, p)
		}
	}

	// Forty days later: one hour point; tallies summed per hour.
	c.Add(40 * 24 * time.Hour)
	s.ObserveLimit(rate, 2, 60, time.Time{})
	mustFlush(t, s)
	pts = all(0)
	if len(pts) != 1 || pts[0].N != 180 || pts[0].Min != 0 || pts[0].Max != 59 || !pts[0].At.Equal(t0) {
		t.Fatalf("after 40 days: %+v, want one hour point of 180", pts)
	}
	rows, err := s.Rows(t0, t0.Add(time.Hour))
	if err != nil || len(rows) != 1 || rows[0].Created != 3 || rows[0].Charged != 6 || rows[0].Waited != 3*time.Second || !rows[0].At.Equal(t0) {
		t.Fatalf("rows = %+v, %v; want one hour row of 3 jobs", rows, err)
	}

	// After 400 days everything of day 0 is gone.
	c.Add(400 * 24 * time.Hour)
	s.ObserveLimit(rate, 3, 60, time.Time{})
	mustFlush(t, s)
	if pts := all(0); len(pts) != 0 {
		t.Fatalf("after 400 days: %+v, want none", pts)
	}
	if rows, _ := s.Rows(t0, t0.Add(time.Hour)); len(rows) != 0 {
		t.Fatalf("after 400 days: rows %+v, want none", rows)
	}
}

// keysIn counts the stored keys of a series' tier.
func keysIn(t *testing.T, s *Store, tr tier) int {
	t.Helper()
	n := 0
	if err := s.view(func(tx *bolt.Tx) error {
		b, err := seriesBucket(tx, tr, rate, false)
		if b != nil {
			n = b.Stats().KeyN
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// Compaction runs once per CompactEvery however many flushes happen.
func TestCompactionIsRateLimited(t *testing.T) {
	c := &clock{t: t0}
	s, err := New(Options{Path: filepath.Join(t.TempDir(), "h.db"), Now: c.Now, CompactEvery: 10 * time.Minute,
		Retention: Retention{Raw: time.Minute, Minute: time.Hour, Hour: 2 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	s.ObserveLimit(rate, 1, 60, time.Time{})
	mustFlush(t, s) // compacts (nothing to do) and stamps t0
	c.Add(5 * time.Minute)
	s.ObserveLimit(rate, 2, 60, time.Time{})
	mustFlush(t, s) // not due: the 5-minute-old point stays raw
	if raw, mins := keysIn(t, s, tierRaw), keysIn(t, s, tierMinute); raw != 2 || mins != 0 {
		t.Fatalf("after 5 min: %d raw, %d minute points; want 2, 0", raw, mins)
	}
	c.Add(6 * time.Minute)
	s.ObserveLimit(rate, 3, 60, time.Time{})
	mustFlush(t, s) // due: both older points are folded
	if raw, mins := keysIn(t, s, tierRaw), keysIn(t, s, tierMinute); raw != 1 || mins != 2 {
		t.Fatalf("after 11 min: %d raw, %d minute points; want 1, 2", raw, mins)
	}
}

func TestEncodingRoundTrip(t *testing.T) {
	for _, p := range []Point{
		{Remaining: 60, Min: 60, Max: 60, N: 1},
		{Remaining: 1250.5, Min: 3, Max: 1e9, Limit: 25000, Reset: time.Unix(1_800_000_000, 0).UTC(), N: 3600},
		{Remaining: 0, Min: 0, Max: 0, Limit: math.MaxInt64, N: 1},
	} {
		got, err := decodePoint(p.At, encodePoint(p))
		if err != nil || got != p {
			t.Errorf("point %+v → %+v, %v", p, got, err)
		}
	}
	tl := Tally{Created: 5, Finished: 4, Charged: 12.5, Refunded: 2.5, Writes: 6, Throttled: 2, RetryWait: 3 * time.Second, Waited: 90 * time.Second}
	if got, err := decodeTally(encodeTally(tl)); err != nil || got != tl {
		t.Errorf("tally → %+v, %v", got, err)
	}
	for _, bad := range [][]byte{nil, {0x80}, append(encodePoint(Point{N: 1}), 7)} {
		if _, err := decodePoint(time.Time{}, bad); err == nil {
			t.Errorf("decodePoint(%x) accepted", bad)
		}
		if _, err := decodeTally(bad); err == nil {
			t.Errorf("decodeTally(%x) accepted", bad)
		}
	}
	if n := len(encodePoint(Point{Remaining: 59, Min: 59, Max: 59, Limit: 60, N: 1})); n > 4 {
		t.Errorf("a raw rate point takes %d bytes, want ≤ 4", n)
	}
}
