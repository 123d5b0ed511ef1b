package redisbudget

import (
	"context"
	"fmt"
	"time"

	"github.com/abtop-dev/abtop/internal/format"
)

// heartbeatLoop keeps this process counted among the org's peers, measures
// the offset to the Redis server's clock, and reconnects a degraded store.
func (s *Store) heartbeatLoop() {
	defer close(s.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel() // abandon a beat in progress at Close
	}()
	t := time.NewTicker(s.opts.HeartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.beat(ctx)
		}
	}
}

// beat runs one heartbeat: register with a TTL by the server's TIME, count
// live peers, take a clock sample; on failure degrade, on success while
// degraded reconnect.
func (s *Store) beat(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.OpTimeout)
	defer cancel()
	t1 := time.Now()
	res, err := heartbeatScript.Run(ctx, s.rdb, []string{s.peers, s.young}, s.opts.ProcessID, s.opts.PeerTTL.Milliseconds()).Int64Slice()
	t2 := time.Now()
	if err != nil || len(res) != 4 {
		if ctx.Err() != nil && s.closing() {
			return
		}
		if err == nil {
			err = fmt.Errorf("heartbeat answered %v, want [peers sec usec young]", res)
		}
		s.mu.Lock()
		s.degradeLocked(err)
		s.mu.Unlock()
		return
	}
	rtt := t2.Sub(t1)
	server := time.Unix(res[1], res[2]*1000)
	offset := server.Sub(t1.Add(rtt / 2))
	s.mu.Lock()
	n := int(max(1, res[0]))
	if young := time.Duration(res[3]) * time.Millisecond; young > 0 && n < s.f.peers {
		// The set was (re)created less than a peer TTL ago: the others
		// may not have re-registered yet. Keep the last count until it is
		// a TTL old rather than claim a bigger share. Every process
		// checks, not only the one that found the set empty: the second
		// to re-register after Redis lost the set counted 2 of 3 and
		// took half the window in the one it capped to a third.
		s.f.peersFloor, s.f.peersFloorUntil = s.f.peers, t2.Add(young)
	}
	if t2.Before(s.f.peersFloorUntil) {
		n = max(n, s.f.peersFloor)
	}
	s.f.peers = n
	s.clock.sample(offset, rtt)
	due := s.f.degraded || s.f.needReconcile
	s.mu.Unlock()
	if due {
		_ = s.reconnect(ctx)
	}
}

func (s *Store) closing() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// clockState estimates the Redis server's clock: offset to add to the local
// clock, from the heartbeat with the smallest round trip among recent ones
// (its error is at most half that round trip).
type clockState struct {
	offset  time.Duration
	rtt     time.Duration
	samples int
}

func (c *clockState) sample(offset, rtt time.Duration) {
	// Prefer tighter samples, but let the estimate follow drift: a sample
	// up to twice the best round trip (+1 ms) replaces it.
	if c.samples == 0 || rtt <= 2*c.rtt+time.Millisecond {
		c.offset, c.rtt = offset, rtt
	}
	c.samples++
}

// Now is the reference clock for every instant passed to this store: the
// local clock corrected to the Redis server's TIME, so processes on
// machines with unsynchronised clocks agree on windows, embargoes and lease
// expiries (to within half a heartbeat round trip, far below the budget's
// margins). Before the first successful heartbeat it is the local clock.
func (s *Store) Now() time.Time {
	s.mu.Lock()
	off := s.clock.offset
	s.mu.Unlock()
	return time.Now().Add(off)
}

// Status is what the TUI header, `abtop status` and `submit` show about the
// shared budget.
type Status struct {
	Backend   string    `json:"backend"` // "redis"
	URL       string    `json:"url"`     // password masked
	Org       string    `json:"org"`
	Connected bool      `json:"connected"`
	Peers     int       `json:"peers"` // live processes (last known while degraded)
	Share     float64   `json:"share"` // this process's fraction when degraded: 1/Peers
	Error     string    `json:"error,omitempty"`
	Since     time.Time `json:"degraded_since,omitzero"`
}

// String renders the status in one line:
// "shared via redis · 3 submitters · share 1/3" or
// "redis unreachable, local share 1/3 (…why…)".
func (st Status) String() string {
	if st.Connected {
		return fmt.Sprintf("shared via redis · %d %s · share 1/%d", st.Peers, format.Plural(st.Peers, "submitter", "submitters"), max(1, st.Peers))
	}
	msg := fmt.Sprintf("redis unreachable, local share 1/%d", max(1, st.Peers))
	if st.Error != "" {
		msg += " (" + st.Error + ")"
	}
	return msg
}

// Status reports the store's current mode. Cheap: no Redis round trip.
func (s *Store) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{
		Backend:   "redis",
		URL:       s.shown,
		Org:       s.org,
		Connected: !s.f.degraded,
		Peers:     max(1, s.f.peers),
	}
	st.Share = 1 / float64(st.Peers)
	if s.f.degraded {
		st.Since = s.f.since
		if s.f.err != nil {
			st.Error = s.f.err.Error()
		}
	}
	return st
}

// shareText is "1/N" for logs; callers hold s.mu.
func (s *Store) shareText() string { return fmt.Sprintf("1/%d", max(1, s.f.peers)) }
