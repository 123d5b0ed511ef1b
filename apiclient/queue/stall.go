// Attempt deadlines: how long one attempt may go unanswered before its
// answer is overdue, and before it is taken for a stall and given up,
// from the latencies answers have shown.

package queue

import (
	"context"
	"slices"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
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
// twice at once. Sooner still, its answer is said overdue (overdue), so
// the window's last unit stops waiting for it, and an overdue attempt
// that later attempts overtook (they were answered) is given up then
// (watchOverdue).
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
	// overdueFloor is the least time after which an unanswered attempt
	// is said overdue to the budget (see overdue), and given up if the
	// API answered attempts sent after it (watchOverdue). Saying so costs
	// no request; giving up costs one (the retry) if the attempt was only
	// slow, which answers to later attempts make unlikely. It only has to
	// be well past an answer's usual time, and well before a short
	// window ends.
	overdueFloor = 500 * time.Millisecond
	// overdueFactor times the 90th percentile is overdue: half the
	// deadline's margin, so a slow service's stalls stop holding the
	// window's last unit well before they are given up.
	overdueFactor = 2
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

// overdue is when the next attempt's answer is overdue: past overdueFactor
// times the 90th percentile, at least overdueFloor, at most its deadline;
// 0 while the deadline is. From then the budget keeps its units spent
// without the window's last unit waiting for its answer (budget.State's
// Overdue). That wait, not the unit itself, was what a stall cost beyond
// what safety needs: it held the last unit of its window until the
// deadline, past the end of a 2 s window, so a window with a stall used
// 18 of 20 units where the server had counted 19 at most. Giving the
// unit back early, instead, would spend it twice if the server counts the
// slow request after all; resending every overdue attempt (a 1 s
// stallFloor) spent requests on creates that were only slow. Only those
// that later attempts overtook are given up at once (watchOverdue).
func (l *latencies) overdue() time.Duration {
	d := l.deadline()
	if d == 0 {
		return 0
	}
	s := slices.Clone(l.ring[:l.n])
	slices.Sort(s)
	return min(d, max(overdueFloor, overdueFactor*s[(len(s)*9)/10]))
}

// attemptDeadline is the deadline for an attempt of kind k (0: none) and
// when its answer is overdue (0: never).
func (s *Scheduler) attemptDeadline(k Kind) (deadline, overdue time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lat[k].deadline(), s.lat[k].overdue()
}

// watchOverdue tells the budget that g's answer (attempt number n) is
// overdue if fn has not returned after d, and from then gives the attempt
// up (giveUp) as soon as an attempt sent after it has been answered by
// the API: the API answers, so this one is stuck on its way (a stall),
// not slow like every answer. Given up, it is retried after its backoff
// with the same Idempotency-Key; its unit stays spent (the server may
// hold it, or get its bytes yet: budget.Observation.Unseen) until an
// answer to a request granted after it counts the window. Waiting for the
// stall deadline instead (2 s at least) held the job past a 2 s window's
// end. An attempt nothing overtook still waits for its deadline, so a
// service that is slow for everyone is not sent twice. The returned stop
// ends the watch and says whether it told (then the answer's observation
// takes the units back out of Overdue).
func (s *Scheduler) watchOverdue(ctx context.Context, g budget.Grant, n uint64, d time.Duration, giveUp func()) (stop func() bool) {
	done, told := make(chan struct{}), make(chan bool, 1)
	go func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-done:
			told <- false
			return
		case <-t.C:
		}
		overtaken := func() (bool, chan struct{}) {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.answered > n, s.wake
		}
		if ok, _ := overtaken(); ok {
			// Given up before the budget hears it is overdue: its
			// units leave InFlight before the window's last unit
			// goes, whose answer then counts them back.
			told <- false
			giveUp()
			return
		}
		_ = s.opts.Store.Observe(context.WithoutCancel(ctx), budget.Observation{Received: s.opts.Now(), Overdue: g.Cost})
		s.mu.Lock()
		close(s.wake) // the last unit may go now
		s.wake = make(chan struct{})
		s.mu.Unlock()
		told <- true
		for {
			ok, wake := overtaken()
			if ok {
				giveUp()
				return
			}
			select {
			case <-done:
				return
			case <-wake:
			}
		}
	}()
	return func() bool {
		close(done)
		return <-told
	}
}

// noteAnswered records that attempt n got an answer (of any status).
func (s *Scheduler) noteAnswered(n uint64) {
	s.mu.Lock()
	s.answered = max(s.answered, n)
	s.mu.Unlock()
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
