package redisbudget

import (
	"context"
	"maps"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/caps"
)

// fallback is what a Store needs to keep deciding while Redis is away, and
// to hand back to Redis when it returns. All fields are guarded by Store.mu.
type fallback struct {
	degraded bool
	err      error     // why, while degraded
	since    time.Time // local time it became degraded

	last     envelope // last shared state seen (seeds the local share and a restarted Redis)
	haveLast bool
	peers    int // last known number of live processes (≥ 1)

	// local is this process's share of last while degraded: limits ÷ peers.
	local budget.State
	// capBase is local's cap usage when it was made (see capsCarried);
	// each cap's share is of what it had left then (see overCapShare).
	capBase caps.Usage
	// retry is how soon a job over its cap share asks again: the heartbeat,
	// which may have reconnected by then.
	retry time.Duration

	// Units this process holds in flight, by who granted them: Redis or the
	// local fallback. Settles go to whoever granted (Redis first: its grants
	// are older). Settles owed to an unreachable Redis wait in pending*.
	redisOut, redisWrites       int64
	localOut, localWrites       int64
	pendingSettle, pendingWrite int64
	pendingRelease              map[string]bool

	// What this process spent in the current window (by WindowID), through
	// Redis and through the local fallback. A process's fair share of a
	// window is limit ÷ peers; what it already spent counts against it, so
	// the shares of all processes add up to no more than the limit.
	sharedWindow, localWindow time.Time
	sharedSpent, localSpent   int64

	// capped: Redis lost the state during window capWindow; this process
	// keeps to its fair share of that window (see Store.overShare).
	capped            bool
	capWindow, capEnd time.Time
	// claimed: grants past overShare not yet in sharedSpent (see there).
	claimed int64
	// needReconcile: Redis lost the state; the heartbeat reconciles this
	// process's in-flight units with it (see reconnect).
	needReconcile bool

	// After Redis lost the peers set, the count restarts from 1 while the
	// others re-register: hold the last count until peersFloorUntil.
	peersFloor      int
	peersFloorUntil time.Time
	held            map[string]time.Time // slots this process holds (holder → lease expiry)
}

func (f *fallback) init() {
	if f.held == nil {
		f.held = map[string]time.Time{}
	}
	if f.pendingRelease == nil {
		f.pendingRelease = map[string]bool{}
	}
}

// share divides n by the number of peers, rounding down but never below 1:
// a conservative slice of the org's budget that needs nobody's agreement.
func (f *fallback) share(n int64) int64 {
	return max(1, n/int64(max(1, f.peers)))
}

// degradeLocked switches to local decisions from the last known state
// scaled to this process's share. Calling it while degraded only updates
// the error.
func (s *Store) degradeLocked(err error) {
	f := &s.f
	f.init()
	f.err = err
	if f.degraded {
		return
	}
	f.degraded, f.since = true, time.Now()
	loc := budget.NewState(s.opts.Plan)
	if f.haveLast {
		loc = f.last.State.Clone()
	}
	// Everyone's in-flight units are already out of Remaining; from here
	// on only this process's local grants count.
	// Nothing local is in flight, so nothing local is overdue: a mark
	// left from the shared view would let the local last unit go
	// without the answer of a local request (State.Reclaim).
	loc.InFlight, loc.WritesInFlight, loc.Overdue = 0, 0, 0
	loc.Limit = f.share(loc.Limit)
	spent := f.spentIn(loc.WindowID)
	loc.Remaining = max(0, min(loc.Remaining, loc.Limit-spent))
	if now := time.Now().Add(s.clock.offset); !loc.EndHi.IsZero() && now.Before(loc.EndHi) {
		// Mid-window, the last shared view is stale: the others may have
		// spent the rest of this window since we saw it, and a 429 here
		// could not be shared as an embargo. Sit the window out; the local
		// share starts at its end.
		loc.Remaining = 0
	}
	if loc.ConcurrencyLimit > 0 {
		loc.ConcurrencyLimit = int(f.share(int64(loc.ConcurrencyLimit)))
	}
	loc.Slots = map[string]time.Time{}
	for h, exp := range f.held {
		loc.Slots[h] = exp
	}
	f.local, f.capBase = loc, loc.CapUsage
	f.retry = s.opts.HeartbeatEvery
	f.localOut, f.localWrites = 0, 0
	f.localWindow, f.localSpent = loc.WindowID, 0
	s.opts.Logger.Warn("limiter degraded to a local share", "redis", s.shown, "org", s.org, "share", s.shareText(), "err", err)
}

// spentShared counts units Redis granted this process in window w.
func (f *fallback) spentShared(w time.Time, cost int64) {
	if !f.sharedWindow.Equal(w) {
		if !f.sharedWindow.IsZero() {
			f.sharedSpent = 0
		} // else: spent before the window had a name; it is this window's
		f.sharedWindow = w
	}
	f.sharedSpent += cost
}

// spentIn is what Redis granted this process in window w (grants made
// before the window had a name count as its own).
func (f *fallback) spentIn(w time.Time) int64 {
	if f.sharedWindow.Equal(w) || f.sharedWindow.IsZero() {
		return f.sharedSpent
	}
	return 0
}

func (f *fallback) reserve(r budget.Request) budget.Grant {
	next := f.local.Clone()
	g := next.Reserve(r)
	if g.OK {
		if w, over := f.overCapShare(r, next.CapUsage); over {
			return w // f.local unchanged: nothing was taken
		}
	}
	f.local = next
	if g.OK {
		if !f.localWindow.Equal(f.local.WindowID) {
			f.localWindow, f.localSpent = f.local.WindowID, 0
		}
		f.localSpent += g.Cost
		f.localOut += g.Cost
		if g.Write {
			f.localWrites++
		}
	}
	return g
}

func (f *fallback) cancel(g budget.Grant) {
	if f.localOut >= g.Cost {
		f.localOut -= g.Cost
		if g.Write {
			f.localWrites = max(0, f.localWrites-1)
		}
		f.local.Cancel(g)
		return
	}
	// A Redis grant canceled while Redis is away: settle it there later
	// (without the refund: conservative). Its cap reservation, counted in
	// the usage the local share started from, is given back here, so
	// capsCarried hands the release to Redis at reconnect (the owed settle
	// carries units only: released once).
	f.owe(g.Cost, g.Write)
	f.local.CapUsage = caps.Release(f.local.CapUsage, g.Cap)
}

// owe records units granted by Redis whose settle could not reach it.
func (f *fallback) owe(cost int64, write bool) {
	n := min(cost, f.redisOut)
	f.redisOut -= n
	f.pendingSettle += n
	if write && f.redisWrites > 0 {
		f.redisWrites--
		f.pendingWrite++
	}
}

// settledShared records units settled in Redis.
func (f *fallback) settledShared(cost int64, write bool) {
	f.redisOut = max(0, f.redisOut-cost)
	if write {
		f.redisWrites = max(0, f.redisWrites-1)
	}
}

// observe applies an observation to the local share: the org-wide numbers
// the server states are scaled to this process's share, and settles are
// split between Redis grants (owed) and local ones.
func (f *fallback) observe(o budget.Observation) {
	fromRedis := min(o.Settle, f.redisOut)
	if fromRedis > 0 {
		f.owe(fromRedis, o.Write)
	}
	o.Settle -= fromRedis
	if o.Settle > 0 {
		f.localOut = max(0, f.localOut-o.Settle)
		if o.Write {
			f.localWrites = max(0, f.localWrites-1)
		}
	} else {
		o.Write = false // its write was settled above, not locally
	}
	if o.HasRate {
		if o.Limit > 0 {
			o.Limit = f.share(o.Limit)
		}
		o.Remaining = max(0, o.Remaining) / int64(max(1, f.peers))
	}
	if o.ConcurrencyLimit > 0 {
		o.ConcurrencyLimit = int(f.share(int64(o.ConcurrencyLimit)))
	}
	f.local.Observe(o)
}

func (f *fallback) acquireSlot(holder string, now time.Time, ttl time.Duration) bool {
	ok := f.local.AcquireSlot(holder, now, ttl)
	if ok {
		f.held[holder] = now.Add(ttl)
		delete(f.pendingRelease, holder)
	}
	return ok
}

func (f *fallback) releaseSlot(holder string) {
	f.local.ReleaseSlot(holder)
	delete(f.held, holder)
	f.pendingRelease[holder] = true
}

// reconnect tries Redis and, when it answers, hands it what happened while
// away in one atomic update, and reconciles this process's books with it:
//   - this process's units in flight in Redis are set to what its own books
//     say (granted by Redis or locally, not yet answered), which also
//     repairs units a lost reply left counted there;
//   - everything granted locally in the shared window comes off its
//     remaining; the embargo is kept if later; slot leases taken and
//     released meanwhile are applied.
//
// It also runs after Redis lost the state (needReconcile) while connected.
// Local operations wait for it (recon), so the books cannot move under it.
// A Redis that lost its data is seeded from the last state seen first (see
// decode). On success the store is shared again.
func (s *Store) reconnect(ctx context.Context) error {
	s.recon.Lock()
	defer s.recon.Unlock()
	s.mu.Lock()
	f := &s.f
	if !f.degraded && !f.needReconcile {
		s.mu.Unlock()
		return nil
	}
	mine, mineWrites := f.redisOut+f.localOut, f.redisWrites+f.localWrites
	spentWindow, spent := f.localWindow, f.localSpent
	embargo := f.local.Embargo
	win := f.local // the window this process is in, as the server's answers told it
	if !f.degraded {
		spent, embargo, win = 0, time.Time{}, budget.State{}
	}
	released := make([]string, 0, len(f.pendingRelease))
	for h := range f.pendingRelease {
		released = append(released, h)
	}
	held := maps.Clone(f.held)
	carried := f.capsCarried()
	id := s.opts.ProcessID
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, s.opts.OpTimeout)
	defer cancel()
	_, err := s.cas(ctx, func(env *envelope) {
		st := &env.State
		p := env.Procs[id]
		p.Unconfirmed = false // the owner's own books, set absolutely
		st.Reclaim(p.InFlight, p.Writes)
		st.InFlight += mine
		st.WritesInFlight += mineWrites
		p.InFlight, p.Writes = mine, mineWrites
		if env.Procs == nil {
			env.Procs = map[string]proc{}
		}
		if mine == 0 && mineWrites == 0 {
			delete(env.Procs, id)
		} else {
			env.Procs[id] = p
		}
		laterWindow(st, win)
		if spent > 0 && st.WindowID.Equal(spentWindow) {
			st.Remaining -= spent
		}
		if embargo.After(st.Embargo) {
			st.Embargo = embargo
		}
		st.CapUsage = carried.Apply(st.CapUsage)
		if st.Slots == nil {
			st.Slots = map[string]time.Time{}
		}
		for _, h := range released {
			delete(st.Slots, h)
		}
		for h, exp := range held {
			if cur, ok := st.Slots[h]; !ok || exp.After(cur) {
				st.Slots[h] = exp
			}
		}
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if f.degraded {
			f.err = err
		}
		return err
	}
	// Everything in flight is Redis' now; nothing is owed any more (the
	// books were set absolutely).
	f.redisOut, f.redisWrites = mine, mineWrites
	f.localOut, f.localWrites = 0, 0
	f.pendingSettle, f.pendingWrite = 0, 0
	// Only a local share spent anything: a connected store's zero spend
	// names no window and would reset what Redis granted it in the capped one.
	if f.degraded {
		f.spentShared(spentWindow, spent)
	}
	f.localSpent = 0
	for _, h := range released {
		delete(f.pendingRelease, h)
	}
	f.needReconcile = false
	if f.degraded {
		if !win.EndHi.IsZero() {
			// The others spent their local shares of this window too, and
			// may reconnect after us: until it ends, keep to our share
			// (overShare lifts the cap once a request's instant passes it).
			f.capWindow, f.capEnd, f.capped = win.WindowID, win.EndHi, true
		}
		f.degraded, f.err = false, nil
		s.opts.Logger.Info("limiter reconnected to redis", "redis", s.shown, "org", s.org, "after", time.Since(f.since).Round(time.Millisecond))
	}
	return nil
}

// laterWindow moves a shared state that Redis kept (or was recreated with)
// from a window that is over to the later one this process saw while it
// was away: as it was, the state would roll into a fresh, full window of
// its own prediction and grant the whole limit again on top of what every
// process spent at its local share. The window starts full; each process
// that reconnects takes off what it spent in it, and keeps to its share
// until it ends (capped).
func laterWindow(st *budget.State, win budget.State) {
	if !win.Known || win.WindowID.IsZero() || win.EndHi.IsZero() {
		return
	}
	if st.Known && (!win.WindowID.After(st.WindowID) || st.SameWindow(win.WindowID)) {
		return
	}
	if st.Limit <= 0 {
		st.Limit = win.Limit // only our share is known: the safe side
	}
	if !st.WindowKnown && win.WindowKnown {
		st.Window, st.WindowKnown = win.Window, true
	}
	st.Known = true
	st.WindowID, st.EndLo, st.EndHi = win.WindowID, win.EndLo, win.EndHi
	st.Remaining, st.Limited = st.Limit, false
}

// takeOwed hands the settles owed to Redis to an update (which flushes them
// with whatever it does); giveBackOwed returns them when it failed.
func (s *Store) takeOwed() (settle, writes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	settle, writes = s.f.pendingSettle, s.f.pendingWrite
	s.f.pendingSettle, s.f.pendingWrite = 0, 0
	return settle, writes
}

func (s *Store) giveBackOwed(settle, writes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f.pendingSettle += settle
	s.f.pendingWrite += writes
}
