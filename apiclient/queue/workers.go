package queue

import (
	"context"
	"sync"
)

// pool bounds how many jobs are being sent at once (QueueOptions.Workers).
// A job that waits out a backoff (a 503's Retry-After, a fault's
// full-jitter backoff) parks: it stops counting and a fresh worker takes
// the next job, so a run of faults cannot leave every worker asleep while
// the budget has room. With four workers and 10 % 503s each held 5 s,
// the workers slept most of the time: a 30 s batch took 43 s.
//
// A parked job counts again when its wait ends, at once even when the
// pool is full: it may hold the queue's one-at-a-time discovery turn
// (discovery.go), which the job that took its place waits for, so making
// it wait for that job would deadlock. The pool is then over its size
// until jobs end; no new job starts meanwhile.
type pool struct {
	max   int
	spawn func() // starts one more worker; set by Run

	mu                    sync.Mutex
	active, alive, parked int
	freed                 chan struct{} // closed and replaced when active drops
}

func newPool(n int) *pool { return &pool{max: n, freed: make(chan struct{})} }

// acquire counts a claimed job in, once the pool has room.
func (p *pool) acquire(ctx context.Context) error {
	for {
		p.mu.Lock()
		if p.active < p.max {
			p.active++
			p.mu.Unlock()
			return nil
		}
		ch := p.freed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release counts a job out.
func (p *pool) release() {
	p.mu.Lock()
	p.active--
	close(p.freed)
	p.freed = make(chan struct{})
	p.mu.Unlock()
}

// park counts the job out for a wait and makes sure a worker is there to
// take its place; the returned resume counts it in again.
func (p *pool) park() (resume func()) {
	p.release()
	p.mu.Lock()
	p.parked++
	more := p.alive-p.parked < p.max
	if more {
		p.alive++
	}
	p.mu.Unlock()
	if more {
		p.spawn()
	}
	return func() {
		p.mu.Lock()
		p.parked--
		p.active++
		p.mu.Unlock()
	}
}

// retire reports whether a worker between jobs should end, because the
// pool has more workers than its size once parked jobs come back; when
// it should, it is counted out (checked and counted at once, so two
// workers never both retire for one surplus).
func (p *pool) retire() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.alive-p.parked > p.max {
		p.alive--
		return true
	}
	return false
}

// exit counts a worker out.
func (p *pool) exit() {
	p.mu.Lock()
	p.alive--
	p.mu.Unlock()
}
