package redisbudget

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/caps"
	"github.com/google/uuid"
)

// envelope is what the state hash's "s" field holds: the org's
// budget.State, plus what is needed to stay conservative after Redis lost
// the state (a restart without persistence, an eviction, a failover).
type envelope struct {
	// Epoch is a random id given to the state when it is created: a
	// different epoch than the one a process saw before means Redis lost
	// the state in between (restart without persistence, eviction,
	// failover to a stale replica).
	Epoch string       `json:"epoch"`
	State budget.State `json:"state"`
	// Recreated is set when a process re-created a lost state from its own
	// last view. Views differ in age; each process that later notices the
	// loss lowers Remaining by how much its own view was lower than the
	// seed, so the recreated window counts from the most recent view.
	Recreated *recreation `json:"recreated,omitempty"`
	// Procs holds, per process, the units it has in flight and when it was
	// last seen: State.InFlight is their sum, and the units of a process
	// not seen for ProcessTTL (killed mid-request) are taken back.
	Procs map[string]proc `json:"procs,omitempty"`
}

// proc is one process's share of the in-flight counts.
type proc struct {
	InFlight int64     `json:"in_flight"`
	Writes   int64     `json:"writes"`
	Seen     time.Time `json:"seen"`
	// Unconfirmed marks an entry copied from a view when a lost state was
	// recreated: its owner may have exited meanwhile and will never
	// reconcile it, so it is reaped after the short unconfirmed TTL, not
	// ProcessTTL (a live owner confirms it within a heartbeat).
	Unconfirmed bool `json:"unconfirmed,omitempty"`
}

// reap takes back the in-flight units of processes other than id that
// were not seen for ttl before now, or for unconfirmedTTL when the entry
// only came from a recreated state (no-op without a reference instant).
func (e *envelope) reap(id string, now time.Time, ttl, unconfirmedTTL time.Duration) {
	if now.IsZero() {
		return
	}
	for other, q := range e.Procs {
		limit := ttl
		if q.Unconfirmed {
			limit = unconfirmedTTL
		}
		if other != id && now.Sub(q.Seen) > limit {
			e.State.Reclaim(q.InFlight, q.Writes)
			delete(e.Procs, other)
		}
	}
}

// track records this process's in-flight change and marks it seen at now.
func (e *envelope) track(id string, now time.Time, dIn, dWrites int64) {
	if e.Procs == nil {
		e.Procs = map[string]proc{}
	}
	p := e.Procs[id]
	p.Unconfirmed = false
	p.InFlight = max(0, p.InFlight+dIn)
	p.Writes = max(0, p.Writes+dWrites)
	if now.After(p.Seen) {
		p.Seen = now
	}
	if p.InFlight == 0 && p.Writes == 0 {
		delete(e.Procs, id) // nothing to reclaim: keep the state small
	} else {
		e.Procs[id] = p
	}
}

// recreation identifies the window a lost state was recreated in.
type recreation struct {
	Remaining int64     `json:"remaining"`
	WindowID  time.Time `json:"window_id"`
	EndHi     time.Time `json:"end_hi"`
}

func (e envelope) clone() envelope {
	e.State = e.State.Clone()
	e.Procs = maps.Clone(e.Procs)
	if e.Recreated != nil {
		r := *e.Recreated
		e.Recreated = &r
	}
	return e
}

// tidy forgets the recreation once its window is over.
func (e *envelope) tidy() {
	if r := e.Recreated; r != nil && !(r.WindowID.Equal(e.State.WindowID) && r.EndHi.Equal(e.State.EndHi)) {
		e.Recreated = nil
	}
}

// merge folds this process's last view into a recreated state, keeping the
// more conservative of each: the lower remaining in the same window (see
// Recreated), the later embargo (embargoes only extend), the lower quota,
// the larger cap usage of each period, and every lease it knew (they expire by themselves).
func (e *envelope) merge(lastEnv envelope) {
	last := lastEnv.State
	if !e.State.Known && last.Known {
		// Recreated by a process that never saw an answer (or from an older
		// view): our view knows the window; start from it, keeping the
		// recreated state's own in-flight books.
		in, w, late, procs := e.State.InFlight, e.State.WritesInFlight, e.State.Overdue, e.Procs
		e.State = last.Clone()
		e.State.InFlight, e.State.WritesInFlight, e.State.Overdue, e.Procs = in, w, late, procs
		e.Recreated = &recreation{Remaining: last.Remaining, WindowID: last.WindowID, EndHi: last.EndHi}
	}
	st := &e.State
	if r := e.Recreated; r != nil && last.Known && r.WindowID.Equal(last.WindowID) && r.EndHi.Equal(last.EndHi) && last.Remaining < r.Remaining {
		st.Remaining -= r.Remaining - last.Remaining
		r.Remaining = last.Remaining
	}
	if last.Embargo.After(st.Embargo) {
		st.Embargo = last.Embargo
	}
	if st.QuotaKnown && last.QuotaKnown {
		st.QuotaRemaining = min(st.QuotaRemaining, last.QuotaRemaining)
	}
	st.CapUsage = caps.Larger(st.CapUsage, last.CapUsage)
	if st.Slots == nil {
		st.Slots = map[string]time.Time{}
	}
	for h, exp := range last.Slots {
		if cur, ok := st.Slots[h]; !ok || exp.After(cur) {
			st.Slots[h] = exp
		}
	}
}

// seed is the envelope a process recreates a lost state from: its last
// view under a new epoch, with the in-flight counts rebuilt from the
// per-process books (each live owner reconciles its own entry afterwards;
// the entries are Unconfirmed, seen at now, so those of processes that
// exited while Redis was away are reaped soon instead of after ProcessTTL,
// where they would hold back the whole org).
func seed(last envelope, now time.Time) envelope {
	env := last.clone()
	env.Epoch = uuid.NewString()
	var in, writes int64
	for id, p := range env.Procs {
		in += p.InFlight
		writes += p.Writes
		p.Unconfirmed = true
		if !now.IsZero() {
			p.Seen = now
		}
		env.Procs[id] = p
	}
	// Units beyond the books' sum had no owner left: reclaimed, with
	// any overdue mark they held (State.Reclaim).
	env.State.Reclaim(env.State.InFlight-in, 0)
	env.State.InFlight, env.State.WritesInFlight = in, writes
	env.Recreated = nil
	if env.State.Known {
		env.Recreated = &recreation{Remaining: env.State.Remaining, WindowID: env.State.WindowID, EndHi: env.State.EndHi}
	}
	return env
}

// read returns the org's state and its version ("0" when Redis has none).
func (s *Store) read(ctx context.Context) (string, envelope, error) {
	vals, err := s.rdb.HMGet(ctx, s.key, "v", "s").Result()
	if err != nil {
		return "", envelope{}, err
	}
	v, _ := vals[0].(string)
	enc, _ := vals[1].(string)
	return s.decode(v, enc)
}

// decode turns a stored version and encoding into an envelope. A missing
// state starts from this process's last view of it when it has one (Redis
// lost its data), so a restart never hands out a fresh full window; else
// from the plan (the org's first process).
func (s *Store) decode(v, enc string) (string, envelope, error) {
	if v == "" || v == "0" || enc == "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.f.haveLast {
			return "0", envelope{Epoch: uuid.NewString(), State: budget.NewState(s.opts.Plan)}, nil
		}
		return "0", seed(s.f.last, time.Now().Add(s.clock.offset)), nil // s.Now without relocking mu
	}
	var env envelope
	if err := json.Unmarshal([]byte(enc), &env); err != nil {
		return "", env, fmt.Errorf("limiter redis %s: state of org %q (key %s) is not valid JSON: %v", s.shown, s.org, s.key, err)
	}
	return v, env.clone(), nil
}

// lostData says whether Redis lost the org's state since this process last
// saw it (the epoch changed) and returns the last state seen, to merge.
func (s *Store) lostData(epoch string) (envelope, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.f.haveLast || s.f.last.Epoch == "" || epoch == s.f.last.Epoch {
		return envelope{}, false
	}
	// Other processes' views of the window may be newer than the one Redis
	// was recreated from: until the window ends, keep to our fair share.
	s.f.capWindow, s.f.capEnd, s.f.capped = s.f.last.State.WindowID, s.f.last.State.EndHi, true
	s.f.needReconcile = true
	return s.f.last.clone(), true
}

// overShare says whether a grant of cost in st's window would take this
// process past its fair share (limit ÷ peers) of a window in which Redis
// lost the state. Each process's views may be stale by what the others
// spent since, so only fair shares are sure to add up to the limit.
//
// A grant it lets through is claimed (f.claimed, and *held for the
// caller) until the caller records it in sharedSpent or drops it: the
// check runs inside the update and the record after it, and the other
// Reserve calls of this process check in between. Claims are kept while
// not capped too, as Redis may lose the state before a grant is recorded.
// *held is what the caller's previous attempt claimed (an update may run
// its function again after a conflict): given back first.
func (s *Store) overShare(st *budget.State, now time.Time, cost int64, held *int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.f
	f.claimed -= *held
	*held = 0
	if f.capped {
		if !f.capWindow.Equal(st.WindowID) || f.capEnd.IsZero() || !now.Before(f.capEnd) {
			f.capped = false // that window is over
		} else if f.spentIn(st.WindowID)+f.claimed+cost > f.share(st.Limit) {
			return true
		}
	}
	f.claimed += cost
	*held = cost
	return false
}

// unclaim gives back what a Reserve attempt claimed in overShare.
func (s *Store) unclaim(held *int64) {
	if *held == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f.claimed -= *held
	*held = 0
}
