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

// Every operation holds recon for reading from its first look at the mode
// to its last book entry, so a reconnection (which holds it for writing)
// sees the books and Redis agree, never an operation half done.

// local runs fn on the fallback if the store is still degraded. It reports
// false when the store is connected: the caller goes through Redis.
func (s *Store) local(fn func(f *fallback)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.f.degraded {
		return false
	}
	fn(&s.f)
	return true
}

// Reserve implements budget.Store.
func (s *Store) Reserve(ctx context.Context, r budget.Request) (budget.Grant, error) {
	s.recon.RLock()
	defer s.recon.RUnlock()
	for {
		if err := ctx.Err(); err != nil {
			return budget.Grant{}, err
		}
		var g budget.Grant
		var after budget.State
		var held int64 // claimed in overShare until recorded below
		ok, err := s.shared(ctx, func(ctx context.Context) error {
			var err error
			after, err = s.update(ctx, r.Now, func(st *budget.State) (int64, int64) {
				s.unclaim(&held) // an earlier attempt, not committed
				g = st.Reserve(r)
				if g.OK && s.overShare(st, r.Now, g.Cost, &held) {
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
		// The claim ends where the record starts, under one lock, so
		// no other call's overShare misses the grant in between.
		s.mu.Lock()
		s.f.claimed -= held
		if ok && g.OK {
			s.f.spentShared(after.WindowID, g.Cost)
			s.f.redisOut += g.Cost
			s.f.redisWrites += writes(g.Write)
		}
		s.mu.Unlock()
		if err != nil {
			return budget.Grant{}, err
		}
		if ok {
			return g, nil
		}
		if s.local(func(f *fallback) { g = f.reserve(r) }) {
			return g, nil
		}
	}
}

// Cancel implements budget.Store.
func (s *Store) Cancel(ctx context.Context, g budget.Grant) error {
	s.recon.RLock()
	defer s.recon.RUnlock()
	if !g.OK {
		return nil
	}
	for {
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
		if ok {
			s.mu.Lock()
			s.f.settledShared(g.Cost, g.Write)
			s.mu.Unlock()
			return nil
		}
		if s.local(func(f *fallback) { f.cancel(g) }) {
			return nil
		}
	}
}

// Observe implements budget.Store. Every process writes what it learned,
// so all obey the same embargo and remaining at their next decision.
func (s *Store) Observe(ctx context.Context, o budget.Observation) error {
	s.recon.RLock()
	defer s.recon.RUnlock()
	for {
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
		if ok {
			s.mu.Lock()
			s.f.settledShared(o.Settle, o.Write && o.Settle > 0)
			s.mu.Unlock()
			return nil
		}
		if s.local(func(f *fallback) { f.observe(o) }) {
			return nil
		}
	}
}

// AcquireSlot implements budget.Store. Slots are leases in the shared state
// (holder → expiry on the reference clock): a killed process's slots free
// themselves when their ttl passes.
func (s *Store) AcquireSlot(ctx context.Context, holder string, now time.Time, ttl time.Duration) (bool, error) {
	s.recon.RLock()
	defer s.recon.RUnlock()
	for {
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
		if ok {
			if got {
				s.mu.Lock()
				s.f.held[holder] = now.Add(ttl)
				s.mu.Unlock()
			}
			return got, nil
		}
		if s.local(func(f *fallback) { got = f.acquireSlot(holder, now, ttl) }) {
			return got, nil
		}
	}
}

// ReleaseSlot implements budget.Store.
func (s *Store) ReleaseSlot(ctx context.Context, holder string) error {
	s.recon.RLock()
	defer s.recon.RUnlock()
	for {
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
		if ok {
			s.mu.Lock()
			delete(s.f.held, holder)
			s.mu.Unlock()
			return nil
		}
		if s.local(func(f *fallback) { f.releaseSlot(holder) }) {
			return nil
		}
	}
}

// Snapshot implements budget.Store: the shared state, or the local share
// while degraded.
func (s *Store) Snapshot(ctx context.Context) (budget.State, error) {
	s.recon.RLock()
	defer s.recon.RUnlock()
	for {
		var st budget.State
		ok, err := s.shared(ctx, func(ctx context.Context) error {
			rctx, cancel := context.WithTimeout(ctx, s.opts.OpTimeout)
			defer cancel()
			ver, env, err := s.read(rctx)
			st = env.State
			if err == nil && ver != "0" {
				s.remember(env)
			}
			return err
		})
		if err != nil {
			return budget.State{}, err
		}
		if ok {
			return st, nil
		}
		if s.local(func(f *fallback) { st = f.local.Clone() }) {
			return st, nil
		}
	}
}
