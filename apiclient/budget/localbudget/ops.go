package localbudget

import (
	"context"
	"errors"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// The budget.Store methods: each applies State's method to the shared
// state under the lock, booking this store's units in flight.

// Reserve implements budget.Store.
func (s *Store) Reserve(ctx context.Context, r budget.Request) (budget.Grant, error) {
	if err := ctx.Err(); err != nil {
		return budget.Grant{}, err
	}
	var g budget.Grant
	_, err := s.update(ctx, r.Now, func(st *budget.State) (int64, int64) {
		g = st.Reserve(r)
		if !g.OK {
			return 0, 0
		}
		return g.Cost, writes(g.Write)
	})
	if err != nil {
		return budget.Grant{}, err
	}
	return g, nil
}

// Cancel implements budget.Store.
func (s *Store) Cancel(ctx context.Context, g budget.Grant) error {
	if !g.OK {
		return nil
	}
	return s.settle(ctx, time.Time{}, func(st *budget.State) (int64, int64) {
		st.Cancel(g)
		return -g.Cost, -writes(g.Write)
	}, func(st *budget.State) (int64, int64) {
		// Late, the window it was granted in may be over: only leave
		// the in-flight count, give nothing back (conservative).
		st.InFlight = max(0, st.InFlight-g.Cost)
		st.WritesInFlight = max(0, st.WritesInFlight-writes(g.Write))
		return -g.Cost, -writes(g.Write)
	})
}

// Observe implements budget.Store. What one process learns (remaining,
// reset, a Retry-After embargo) every other obeys at its next decision.
func (s *Store) Observe(ctx context.Context, o budget.Observation) error {
	w := writes(o.Write && o.Settle > 0)
	observe := func(st *budget.State) (int64, int64) {
		st.Observe(o)
		return -o.Settle, -w
	}
	return s.settle(ctx, o.Received, observe, observe)
}

// AcquireSlot implements budget.Store. Slots are leases in the shared
// state: a killed process's slots free themselves when their ttl passes.
func (s *Store) AcquireSlot(ctx context.Context, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var got bool
	_, err := s.update(ctx, now, func(st *budget.State) (int64, int64) {
		got = st.AcquireSlot(holder, now, ttl)
		return 0, 0
	})
	return got, err
}

// ReleaseSlot implements budget.Store.
func (s *Store) ReleaseSlot(ctx context.Context, holder string) error {
	release := func(st *budget.State) (int64, int64) {
		st.ReleaseSlot(holder)
		return 0, 0
	}
	return s.settle(ctx, time.Time{}, release, release)
}

// Snapshot implements budget.Store. It reads without the state lock: the
// newest valid slot is one whole state (see writeState).
func (s *Store) Snapshot(ctx context.Context) (budget.State, error) {
	if err := ctx.Err(); err != nil {
		return budget.State{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return budget.State{}, errors.New("local budget: store is closed")
	}
	env, _, exists, err := readState(s.file, &s.bufs)
	if errors.Is(err, errCorrupt) || !exists {
		// The next update replaces it (and logs why): until then the
		// state is the one a fresh store starts from.
		return budget.NewState(s.opts.Plan), nil
	}
	if err != nil {
		return budget.State{}, err
	}
	return env.State.Clone(), nil
}

func writes(w bool) int64 {
	if w {
		return 1
	}
	return 0
}
