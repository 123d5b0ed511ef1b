// Package monitor is abtop's read side of the API, shared by the
// dashboard and "abtop watch": one poll is the cheap request of a refresh
// (GET /v1/balance) made through the session's scheduler as a low-priority
// call, so it spends the same budget as the queue and waits out the same
// embargoes; cadence says how long to wait before the next one.
package monitor

import (
	"context"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/monitor/cadence"
	"github.com/abtop-dev/abtop/session"
)

// Result is what one poll learned.
type Result struct {
	Balance  *apiclient.Balance // nil when the request failed
	Snapshot usage.Snapshot     // of the poll's response
	Requests int                // requests the poll spent (abtop's own cost)
	// Running and Concurrency as the budget store knows them (0: unknown).
	Running     int
	Concurrency int
	// Limiter is how the budget is shared; the zero value when it is not.
	Limiter budget.Sharing
	// Embargo is a Retry-After the shared budget holds (another process
	// may have drawn it), on this machine's clock; zero when none.
	Embargo time.Time
}

// Poller polls one session's profile.
type Poller struct {
	Session *session.Session
	// Sync, when set, runs after a successful poll and returns the
	// requests spent outside the poll since the last one (the dashboard's
	// queue tracking its jobs), counted with the poll's own.
	Sync func(context.Context) int
}

// Poll makes one budgeted poll.
func (p *Poller) Poll(ctx context.Context) (Result, error) {
	var res Result
	s := p.Session
	err := s.Scheduler.Do(ctx, queue.Call{Kind: queue.KindPoll}, func(ctx context.Context) (apiclient.Meta, error) {
		res.Requests++
		b, meta, err := s.Client.Balance(ctx)
		if err == nil {
			res.Balance = &b
		}
		res.Snapshot = meta.Snapshot
		return meta, err
	})
	if err == nil && p.Sync != nil {
		res.Requests += p.Sync(ctx)
	}
	res.Limiter = s.Sharing()
	if st, serr := s.Store.Snapshot(ctx); serr == nil {
		res.Concurrency = st.ConcurrencyLimit
		res.Running = len(st.Slots)
		// another process's Retry-After reaches this one only through the
		// shared store; in-process the caller saw the response itself
		if res.Limiter.Shared && !st.Embargo.IsZero() {
			res.Embargo = s.Local(st.Embargo)
		}
	}
	return res, err
}

// Next is the wait before the poll after one that returned res: the
// configured interval slowed by cadence when the rate budget is short,
// and never before a Retry-After embargo (the server's or the shared
// budget's) ends.
func Next(base time.Duration, res Result, embargo, now time.Time) time.Duration {
	frac := -1.0
	if l, ok := res.Snapshot.BindingLimit(); ok {
		frac = l.Fraction()
	}
	d := cadence.Next(base, frac)
	if res.Embargo.After(embargo) {
		embargo = res.Embargo
	}
	if wait := embargo.Sub(now) + 50*time.Millisecond; embargo.After(now) && wait > d {
		d = wait
	}
	return d
}

// Refresh makes at most one budgeted poll for a status line that found
// its state stale: when the budget would make it wait longer than wait,
// it gives up before anything is sent, and the caller prints the old
// value marked stale. The session's status line recorder saves what the
// response said.
func Refresh(ctx context.Context, s *session.Session, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	p := Poller{Session: s}
	_, err := p.Poll(ctx)
	return err
}
