package redisbudget

import (
	"context"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// The budget.Store methods: each applies State's method in Redis when
// connected, or to the local share when degraded, and keeps the books
// (which units Redis granted, which the fallback did) that let a
// reconnection hand everything back.

// Reserve implements budget.Store.
func (s *Store) Reserve(ctx context.Context, r budget.Request) (budget.Grant, error) {
	if err := ctx.Err(); err != nil {
		return budget.Grant{}, err
	}
	var g budget.Grant
	var after budget.State
	ok, err := s.shared(ctx, func(ctx context.Context) error {
		var err error
		after, err = s.update(ctx, r.Now, func(st *budget.State) (int64, int64) {
			g = st.Reserve(r)
			if g.OK && s.overShare(st, r.Now, g.Cost) {
				st.Cancel(g)
				g = budget.Grant{Wait: max(time.Millisecond, st.EndHi.Sub(r.Now)), Reason: budget.ReasonRate, Cost: g.Cost, Write: g.Write}
			}
			if !g.OK {
				return 0, 0
			}
			return g.Cost, writes(g.Write)
		})
		return err
	})
	if err != nil {
		return budget.Grant{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok {
		if g.OK {
			s.f.spentShared(after.WindowID, g.Cost)
			s.f.redisOut += g.Cost
			if g.Write {
				s.f.redisWrites++
			}
		}
		return g, nil
	}
	return s.f.reserve(r), nil
}

// Cancel implements budget.Store.
func (s *Store) Cancel(ctx context.Context, g budget.Grant) error {
	if !g.OK {
		return nil
	}
	if s.ownedLocally(g.Cost) {
		s.mu.Lock()
		s.f.cancel(g)
		s.mu.Unlock()
		return nil
	}
	ok, err := s.shared(ctx, func(ctx context.Context) error {
		_, err := s.update(ctx, time.Time{}, func(st *budget.State) (int64, int64) {
			st.Cancel(g)
			return -g.Cost, -writes(g.Write)
		})
		return err
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok {
		s.f.settledShared(g.Cost, g.Write)
		return nil
	}
	s.f.cancel(g)
	return nil
}

// ownedLocally says whether units being settled belong to grants the local
// fallback made and Redis never saw (only possible while degraded).
func (s *Store) ownedLocally(cost int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f.degraded && s.f.redisOut < cost && s.f.localOut > 0
}

// Observe implements budget.Store. Every process writes what it learned,
// so all obey the same embargo and remaining at their next decision.
func (s *Store) Observe(ctx context.Context, o budget.Observation) error {
	ok, err := s.shared(ctx, func(ctx context.Context) error {
		_, err := s.update(ctx, o.Received, func(st *budget.State) (int64, int64) {
			st.Observe(o)
			return -o.Settle, -writes(o.Write && o.Settle > 0)
		})
		return err
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok {
		s.f.settledShared(o.Settle, o.Write && o.Settle > 0)
		return nil
	}
	s.f.observe(o)
	return nil
}

// AcquireSlot implements budget.Store. Slots are leases in the shared state
// (holder → expiry on the reference clock): a killed process's slots free
// themselves when their ttl passes.
func (s *Store) AcquireSlot(ctx context.Context, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var got bool
	ok, err := s.shared(ctx, func(ctx context.Context) error {
		_, err := s.update(ctx, now, func(st *budget.State) (int64, int64) {
			got = st.AcquireSlot(holder, now, ttl)
			return 0, 0
		})
		return err
	})
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok {
		if got {
			s.f.held[holder] = now.Add(ttl)
		}
		return got, nil
	}
	return s.f.acquireSlot(holder, now, ttl), nil
}

// ReleaseSlot implements budget.Store.
func (s *Store) ReleaseSlot(ctx context.Context, holder string) error {
	ok, err := s.shared(ctx, func(ctx context.Context) error {
		_, err := s.update(ctx, time.Time{}, func(st *budget.State) (int64, int64) {
			st.ReleaseSlot(holder)
			return 0, 0
		})
		return err
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.f.held, holder)
	if !ok {
		s.f.releaseSlot(holder)
	}
	return nil
}

// Snapshot implements budget.Store: the shared state, or the local share
// while degraded.
func (s *Store) Snapshot(ctx context.Context) (budget.State, error) {
	var st budget.State
	ok, err := s.shared(ctx, func(ctx context.Context) error {
		rctx, cancel := context.WithTimeout(ctx, s.opts.OpTimeout)
		defer cancel()
		ver, env, err := s.read(rctx)
		st = env.State
		if err == nil && ver != "0" {
			s.remember(st, env.Epoch)
		}
		return err
	})
	if err != nil {
		return budget.State{}, err
	}
	if ok {
		return st, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f.local.Clone(), nil
}
