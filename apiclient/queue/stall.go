// Attempt deadlines: how long one attempt may go unanswered before it is
// taken for a stall and given up, from the latencies answers have shown.

package queue

import (
	"slices"
	"time"
)

// A request the server holds without answering (a stall) keeps its budget
// units in flight and its worker busy until the client gives up on it:
// the last unit of every window waits for answers in flight, and a window
// that starts meanwhile refills without the units held. With the client's
// own 30 s timeout (5 s in the benchmark, a 2 s window), 2.5 % of requests
// stalled cost 7 % of the allowance. An attempt that takes stallFactor
// times the 90th percentile of the answers of its kind, and at least
// stallFloor, is given up sooner: its units stay spent (the server may
// have counted it), and it is retried like any unanswered attempt, with
// the same Idempotency-Key, through the budget. Nothing is ever sent
// twice at once.
const (
	latencySamples = 64 // answers remembered per kind
	// latencyMinSeen answers of a kind are needed before its deadline
	// applies. Few: until then a stall holds for the client's whole
	// timeout, and with 16 a stall among a batch's first creates (2 runs
	// in 5 under 20 % faults) cost a fifth of its first three windows.
	// The floor keeps a deadline from so few answers from being short.
	latencyMinSeen = 4
	stallFactor    = 4
	// stallFloor keeps fast answers (a local server, the sandbox) from
	// making the deadline a hair trigger: a busy network, a garbage
	// collection pause or a loaded machine would pass for a stall, and
	// each attempt given up is one more request on the window. At 1 s,
	// CI (tests under -race beside other packages' tests) gave up 8 of
	// 100 creates that were only slow and used 0.86 of the allowance
	// alone; at 2 s a stall under 20 % faults still costs 2 s instead
	// of the client's timeout (0.94 of the allowance, 0.97 at 1 s).
	stallFloor = 2 * time.Second
)

// latencies is a ring of one kind's recent attempt times.
type latencies struct {
	ring [latencySamples]time.Duration
	n    int // samples held, ≤ latencySamples
	next int
}

// add records one attempt's time. An attempt given up at its deadline is
// recorded at the deadline: when more than a tenth are given up (the
// service got slower, not a few stalls), the 90th percentile reaches the
// deadline and the next one is stallFactor times longer.
func (l *latencies) add(d time.Duration) {
	l.ring[l.next] = d
	l.next = (l.next + 1) % latencySamples
	l.n = min(l.n+1, latencySamples)
}

// deadline is how long the next attempt may take; 0 until enough answers
// were seen (the client's own timeout applies then).
func (l *latencies) deadline() time.Duration {
	if l == nil || l.n < latencyMinSeen {
		return 0
	}
	s := slices.Clone(l.ring[:l.n])
	slices.Sort(s)
	p90 := s[(len(s)*9)/10]
	return max(stallFloor, stallFactor*p90)
}

// attemptDeadline is the deadline for an attempt of kind k (0: none).
func (s *Scheduler) attemptDeadline(k Kind) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lat[k].deadline()
}

// noteLatency records an attempt of kind k that was answered (or given up
// at its deadline) after d. Attempts that failed otherwise (a closed
// connection) say nothing about how long answers take.
func (s *Scheduler) noteLatency(k Kind, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.lat[k]
	if l == nil {
		l = &latencies{}
		s.lat[k] = l
	}
	l.add(d)
}
