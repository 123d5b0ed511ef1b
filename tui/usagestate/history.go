package usagestate

import (
	"math"
	"time"
)

// Bucket is one slot of history.
type Bucket struct {
	Remaining float64 // lowest remaining rate budget seen; NaN when none
	Requests  int     // responses seen
	Throttled bool    // a 429 arrived in this slot
}

// History is a ring of fixed-width time buckets; slots with no data stay
// NaN so the charts can draw gaps.
type History struct {
	size    time.Duration
	buckets []Bucket
	last    int64 // bucket number of the newest slot; -1 when empty
}

// NewHistory keeps n buckets of the given size.
func NewHistory(size time.Duration, n int) *History {
	if size <= 0 {
		size = 5 * time.Second
	}
	if n <= 0 {
		n = 240
	}
	return &History{size: size, buckets: make([]Bucket, 0, n), last: -1}
}

// Cap is how many buckets the history keeps: Cap × BucketSize is the
// longest span it can show.
func (h *History) Cap() int { return cap(h.buckets) }

// BucketSize is the width of one slot.
func (h *History) BucketSize() time.Duration { return h.size }

func (h *History) slot(at time.Time) *Bucket {
	n := at.UnixNano() / int64(h.size)
	if h.last < 0 {
		h.last = n
		h.buckets = append(h.buckets, Bucket{Remaining: math.NaN()})
	}
	if n < h.last { // late arrival: fold into its slot if still kept
		back := int(h.last - n)
		if back >= len(h.buckets) {
			return nil
		}
		return &h.buckets[len(h.buckets)-1-back]
	}
	if n-h.last > int64(cap(h.buckets)) { // a long silence: nothing old stays visible
		h.buckets = h.buckets[:0]
		h.last = n - 1
	}
	for h.last < n {
		h.last++
		if len(h.buckets) == cap(h.buckets) {
			copy(h.buckets, h.buckets[1:])
			h.buckets = h.buckets[:len(h.buckets)-1]
		}
		h.buckets = append(h.buckets, Bucket{Remaining: math.NaN()})
	}
	return &h.buckets[len(h.buckets)-1]
}

// Remaining records a remaining-budget reading.
func (h *History) Remaining(at time.Time, v float64) {
	if b := h.slot(at); b != nil && (math.IsNaN(b.Remaining) || v < b.Remaining) {
		b.Remaining = v
	}
}

// Request counts one response.
func (h *History) Request(at time.Time) {
	if b := h.slot(at); b != nil {
		b.Requests++
	}
}

// Throttle marks a 429.
func (h *History) Throttle(at time.Time) {
	if b := h.slot(at); b != nil {
		b.Throttled = true
	}
}

// Series returns the last n buckets up to now (oldest first) as remaining
// values, requests per minute and 429 flags; slots with no data are gaps.
func (h *History) Series(now time.Time, n int) (remaining, perMin []float64, throttled []bool) {
	remaining = make([]float64, n)
	perMin = make([]float64, n)
	throttled = make([]bool, n)
	cur := now.UnixNano() / int64(h.size)
	scale := float64(time.Minute) / float64(h.size)
	for i := range n {
		num := cur - int64(n-1-i)
		remaining[i] = math.NaN()
		perMin[i] = math.NaN()
		if h.last < 0 || num > h.last {
			continue
		}
		back := int(h.last - num)
		if back >= len(h.buckets) {
			continue
		}
		b := h.buckets[len(h.buckets)-1-back]
		remaining[i] = b.Remaining
		if b.Requests > 0 || !math.IsNaN(b.Remaining) {
			perMin[i] = float64(b.Requests) * scale
		}
		throttled[i] = b.Throttled
	}
	return remaining, perMin, throttled
}
