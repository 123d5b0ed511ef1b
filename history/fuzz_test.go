package history

import (
	"testing"
	"time"
)

// The file is shared by every abtop process, and old versions or a torn
// disk may leave anything in it: decoding must never panic, and what it
// accepts must encode back to a value that decodes the same.
func FuzzDecode(f *testing.F) {
	f.Add(encodePoint(Point{Remaining: 59, Min: 3, Max: 60, Limit: 60, Reset: time.Unix(1e9, 0), N: 4}))
	f.Add(encodePoint(Point{Remaining: 1250.5, N: 1}))
	f.Add(encodeTally(Tally{Created: 1, Charged: 2.5, Waited: time.Second}))
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := decodePoint(time.Time{}, b); err == nil {
			q, err := decodePoint(time.Time{}, encodePoint(p))
			if err != nil || !(q.Remaining == p.Remaining || q.Remaining != q.Remaining) {
				t.Fatalf("point %+v re-decoded as %+v, %v", p, q, err)
			}
		}
		if tl, err := decodeTally(b); err == nil {
			if _, err := decodeTally(encodeTally(tl)); err != nil {
				t.Fatalf("tally %+v does not round-trip: %v", tl, err)
			}
		}
	})
}
