package history

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"time"
)

// The on-disk encoding is compact because a busy org writes a point per
// second per limit: keys are 4-byte big-endian Unix seconds (sorted, valid
// until 2106) and values are varints. Floats are stored as the byte-reversed
// IEEE bits in a uvarint, so whole and half numbers (60, 1250.5) take 2–4
// bytes instead of 8.

var errCorrupt = errors.New("history: corrupt record")

func tsKey(t time.Time) []byte {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], uint32(clampUnix(t)))
	return k[:]
}

func clampUnix(t time.Time) int64 {
	return min(max(t.Unix(), 0), math.MaxUint32)
}

func keyTime(k []byte) (time.Time, bool) {
	if len(k) < 4 {
		return time.Time{}, false
	}
	return time.Unix(int64(binary.BigEndian.Uint32(k[:4])), 0).UTC(), true
}

func putFloat(b []byte, f float64) []byte {
	return binary.AppendUvarint(b, bits.ReverseBytes64(math.Float64bits(f)))
}

type reader struct {
	b   []byte
	err bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) float() float64 {
	return math.Float64frombits(bits.ReverseBytes64(r.uvarint()))
}

const (
	flagLimit  = 1 << iota // Limit follows
	flagReset              // Reset follows
	flagMinMax             // Min and Max follow (else both equal Remaining)
	flagFloat              // values are floats (else non-negative whole numbers, as uvarints)
)

// whole reports whether f is a non-negative whole number a uvarint holds
// exactly (every count; most credit balances are not).
func whole(f float64) bool { return f >= 0 && f <= 1<<53 && f == math.Trunc(f) }

func encodePoint(p Point) []byte {
	var flags uint64
	if p.Limit != 0 {
		flags |= flagLimit
	}
	if !p.Reset.IsZero() {
		flags |= flagReset
	}
	if p.Min != p.Remaining || p.Max != p.Remaining {
		flags |= flagMinMax
	}
	if !whole(p.Remaining) || !whole(p.Min) || !whole(p.Max) || !whole(p.Limit) {
		flags |= flagFloat
	}
	put := func(b []byte, f float64) []byte {
		if flags&flagFloat != 0 {
			return putFloat(b, f)
		}
		return binary.AppendUvarint(b, uint64(f))
	}
	b := make([]byte, 0, 24)
	b = binary.AppendUvarint(b, flags)
	b = binary.AppendUvarint(b, uint64(max(p.N, 1)))
	b = put(b, p.Remaining)
	if flags&flagMinMax != 0 {
		b = put(b, p.Min)
		b = put(b, p.Max)
	}
	if flags&flagLimit != 0 {
		b = put(b, p.Limit)
	}
	if flags&flagReset != 0 {
		b = binary.AppendUvarint(b, uint64(clampUnix(p.Reset)))
	}
	return b
}

func decodePoint(at time.Time, v []byte) (Point, error) {
	r := reader{b: v}
	flags := r.uvarint()
	p := Point{At: at, N: int(min(r.uvarint(), math.MaxInt32))}
	get := r.float
	if flags&flagFloat == 0 {
		get = func() float64 { return float64(r.uvarint()) }
	}
	p.Remaining = get()
	p.Min, p.Max = p.Remaining, p.Remaining
	if flags&flagMinMax != 0 {
		p.Min, p.Max = get(), get()
	}
	if flags&flagLimit != 0 {
		p.Limit = get()
	}
	if flags&flagReset != 0 {
		p.Reset = time.Unix(int64(r.uvarint()), 0).UTC()
	}
	if r.err || len(r.b) != 0 {
		return Point{}, errCorrupt
	}
	return p, nil
}

func encodeTally(t Tally) []byte {
	b := make([]byte, 0, 16)
	for _, n := range [...]int64{t.Created, t.Finished, t.Writes, t.Throttled, t.RetryWait.Milliseconds(), t.Waited.Milliseconds()} {
		b = binary.AppendUvarint(b, uint64(max(n, 0)))
	}
	b = putFloat(b, t.Charged)
	return putFloat(b, t.Refunded)
}

func decodeTally(v []byte) (Tally, error) {
	r := reader{b: v}
	var n [6]int64
	for i := range n {
		n[i] = int64(min(r.uvarint(), math.MaxInt64))
	}
	t := Tally{Created: n[0], Finished: n[1], Writes: n[2], Throttled: n[3],
		RetryWait: time.Duration(n[4]) * time.Millisecond, Waited: time.Duration(n[5]) * time.Millisecond}
	t.Charged, t.Refunded = r.float(), r.float()
	if r.err || len(r.b) != 0 {
		return Tally{}, errCorrupt
	}
	return t, nil
}

// fold merges b into a; b was observed after a. The result keeps a's
// span start, b's latest values and the extremes of both.
func fold(a, b Point) Point {
	if a.N == 0 {
		return b
	}
	out := b
	out.At = a.At
	out.Min = min(a.Min, b.Min)
	out.Max = max(a.Max, b.Max)
	out.N = max(a.N, 1) + max(b.N, 1)
	if out.Limit == 0 {
		out.Limit = a.Limit
	}
	if out.Reset.IsZero() {
		out.Reset = a.Reset
	}
	return out
}
