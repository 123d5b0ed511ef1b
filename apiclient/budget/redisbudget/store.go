// Package redisbudget shares one organization's budget.State between abtop
// processes on several machines through Redis, so a team running batches
// from three machines splits the org's limits instead of collecting 429s.
//
// The state is the very budget.State the in-process store keeps (every
// dimension: the rate window of requests or points, the Retry-After
// embargo, the monthly quota, credits and concurrency-slot leases), stored
// as JSON in one hash per organization ("abtop:{org}:state"; never per
// token: every key of an org spends the same budget). Each decision reads
// it, applies the same pure State method as budget.Memory and commits it
// with a compare-and-set Lua script, retrying on conflict, so Redis and
// in-process behave identically (budgettest.Run passes for both) and no
// grant is ever made from a state another process already changed. Units
// in flight are also kept per process, so a process killed mid-request
// gives them back after ProcessTTL; slots are leases that expire. What any process
// learns from a response (remaining, reset, a Retry-After embargo) is
// therefore seen by all at their next decision; the embargo only extends.
//
// The contract is clock-explicit: instants come from the caller. Processes
// on different machines need one reference clock, and Store.Now provides it:
// the local clock corrected to the Redis server's TIME, measured at every
// heartbeat. Peers are counted by the server's TIME too.
//
// When Redis is unreachable or slow (short timeouts), the store degrades: it
// keeps deciding locally from its last known state scaled to this process's
// share (limits ÷ last known number of peers), never the full rate, says so
// in Status, and reconnects by itself, merging what happened meanwhile.
package redisbudget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// Options tune a Store. Zero values take the defaults.
type Options struct {
	// Plan is the starting point when Redis holds no state for the org yet.
	Plan budget.Plan
	// ProcessID names this process among the peers; default host-pid-random.
	ProcessID string
	// KeyPrefix prefixes every key; default "abtop:".
	KeyPrefix string
	// HeartbeatEvery is how often this process says it is alive, measures
	// the clock offset and, when degraded, tries to reconnect; default 1 s. Peers that miss PeerTTL
	// (default 3 × HeartbeatEvery) no longer count.
	HeartbeatEvery time.Duration
	PeerTTL        time.Duration
	// OpTimeout bounds one operation against Redis, retries included;
	// default 750 ms. Past it the operation is decided locally.
	OpTimeout time.Duration
	// StateTTL is how long an org's state outlives its last change;
	// default 7 days (everything in it is re-learned from responses).
	StateTTL time.Duration
	// ProcessTTL: units a process holds in flight are taken back from the
	// shared state when it has not been seen (on the reference clock) for
	// this long, so a killed process cannot hold the budget forever.
	// Longer than any request may take; default 2 minutes.
	ProcessTTL time.Duration
	// AssumedPeers is the peer count used for the local share before the
	// first heartbeat succeeded (Redis unreachable at start); default 2.
	AssumedPeers int
	// Logger receives mode changes (degraded, reconnected); default none.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.ProcessID == "" {
		host, _ := os.Hostname()
		o.ProcessID = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), uuid.NewString()[:8])
	}
	if o.KeyPrefix == "" {
		o.KeyPrefix = DefaultKeyPrefix
	}
	if o.HeartbeatEvery <= 0 {
		o.HeartbeatEvery = time.Second
	}
	if o.PeerTTL <= 0 {
		o.PeerTTL = 3 * o.HeartbeatEvery
	}
	if o.OpTimeout <= 0 {
		o.OpTimeout = 750 * time.Millisecond
	}
	if o.StateTTL <= 0 {
		o.StateTTL = 7 * 24 * time.Hour
	}
	if o.ProcessTTL <= 0 {
		o.ProcessTTL = 2 * time.Minute
	}
	if o.AssumedPeers <= 0 {
		o.AssumedPeers = 2
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// DefaultKeyPrefix prefixes every key unless Options.KeyPrefix says otherwise.
const DefaultKeyPrefix = "abtop:"

// ErrAuth marks authentication failures at construction.
var ErrAuth = errors.New("authentication failed")

// maxCAS bounds compare-and-set retries of one operation; each retry means
// another process committed, so the org as a whole made progress.
const maxCAS = 200

// Store is a budget.Store shared through Redis. Safe for concurrent use.
type Store struct {
	rdb   *redis.Client
	org   string
	shown string // URL with the password masked
	opts  Options
	key   string
	peers string
	young string

	stop chan struct{}
	done chan struct{}
	once sync.Once

	recon sync.RWMutex // operations read-lock, reconnect write-locks: see ops.go
	mu    sync.Mutex
	f     fallback   // guarded by mu
	clock clockState // guarded by mu
}

var _ budget.Store = (*Store)(nil)

// New connects to the Redis at rawURL (redis://[user:pass@]host:port/db or
// rediss://…) for organization org and checks it with PING. Bad URLs,
// hosts that do not resolve and authentication failures are errors. An unreachable Redis is not: the
// store starts degraded (Status says so) at a local share of
// 1/AssumedPeers and connects by itself when Redis comes up.
// Close releases it.
func New(ctx context.Context, rawURL, org string, opts Options) (*Store, error) {
	if err := checkOrg(org); err != nil {
		return nil, err
	}
	ro, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	opts.defaults()
	s := &Store{
		rdb:   redis.NewClient(ro),
		org:   org,
		shown: Redacted(rawURL),
		opts:  opts,
		key:   stateKey(opts.KeyPrefix, org),
		peers: peersKey(opts.KeyPrefix, org),
		young: youngKey(opts.KeyPrefix, org),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	s.f.init()
	s.f.peers = opts.AssumedPeers
	pctx, cancel := context.WithTimeout(ctx, ro.DialTimeout+ro.ReadTimeout)
	err = s.rdb.Ping(pctx).Err()
	cancel()
	switch {
	case err == nil:
		s.beat(ctx)
	case isAuthError(err):
		s.rdb.Close()
		return nil, fmt.Errorf("limiter redis %s: %w: %v", s.shown, ErrAuth, err)
	case isUnknownHost(err):
		// A name that does not resolve is a typo in the configuration,
		// not an outage to ride out.
		s.rdb.Close()
		return nil, fmt.Errorf("limiter redis %s: host %q not found: %v", s.shown, ro.Addr, err)
	case ctx.Err() != nil:
		s.rdb.Close()
		return nil, ctx.Err()
	default:
		s.mu.Lock()
		s.degradeLocked(fmt.Errorf("unreachable at start: %w", err))
		s.mu.Unlock()
	}
	go s.heartbeatLoop()
	return s, nil
}

// checkOrg rejects org names that would break the key layout.
func checkOrg(org string) error {
	if org == "" {
		return errors.New("limiter: organization name is empty")
	}
	if strings.ContainsAny(org, "{}") || strings.IndexFunc(org, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return fmt.Errorf("limiter: organization name %q must not contain braces or control characters", org)
	}
	return nil
}

func isUnknownHost(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

func isAuthError(err error) bool {
	msg := err.Error()
	for _, s := range []string{"NOAUTH", "WRONGPASS", "invalid password", "invalid username-password", "AUTH <password> called without any password"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// Close stops the heartbeat, leaves the peers (so the others' share grows
// at once) and closes the connection. Slots still held stay leased until
// their TTL. Close is idempotent.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		close(s.stop)
		<-s.done
		ctx, cancel := context.WithTimeout(context.Background(), s.opts.OpTimeout)
		_ = leaveScript.Run(ctx, s.rdb, []string{s.peers}, s.opts.ProcessID).Err()
		cancel()
		err = s.rdb.Close()
	})
	return err
}

// change applies one operation to the shared state and returns how it
// changed this process's units in flight (and writes in flight), which
// the envelope tracks per process so a killed process's are reclaimed.
type change func(st *budget.State) (dInFlight, dWrites int64)

// update applies fn to the shared state atomically (read, apply, CAS; on
// conflict apply again to the state the script returned), together with any
// settles owed from a time Redis was away. now (the operation's reference
// instant; zero when it has none) marks this process as seen and reclaims
// the in-flight units of processes not seen for ProcessTTL. fn may run
// several times and must only depend on the state it is given.
func (s *Store) update(ctx context.Context, now time.Time, fn change) (budget.State, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.OpTimeout)
	defer cancel()
	owedSettle, owedWrites := s.takeOwed()
	st, err := s.cas(ctx, func(env *envelope) {
		env.reap(s.opts.ProcessID, now, s.opts.ProcessTTL, 2*s.opts.PeerTTL)
		st := &env.State
		if owedSettle > 0 || owedWrites > 0 {
			st.Reclaim(owedSettle, owedWrites)
		}
		dIn, dW := fn(st)
		env.track(s.opts.ProcessID, now, dIn-owedSettle, dW-owedWrites)
	})
	if err != nil {
		s.giveBackOwed(owedSettle, owedWrites)
	}
	return st, err
}

// cas is update without the owed settles and the tracking.
func (s *Store) cas(ctx context.Context, fn func(*envelope)) (budget.State, error) {
	ver, env, err := s.read(ctx)
	if err != nil {
		return env.State, err
	}
	ttl := s.opts.StateTTL.Milliseconds()
	for range maxCAS {
		next := env.clone()
		if last, lost := s.lostData(next.Epoch); lost {
			next.merge(last)
		}
		fn(&next)
		next.tidy()
		enc, err := json.Marshal(next)
		if err != nil {
			return env.State, fmt.Errorf("encoding budget state: %w", err)
		}
		res, err := casScript.Run(ctx, s.rdb, []string{s.key}, ver, enc, ttl).Slice()
		if err != nil {
			return env.State, err
		}
		if ok, _ := res[0].(int64); ok == 1 {
			s.remember(next)
			return next.State, nil
		}
		cur, _ := res[1].(string)
		curEnc, _ := res[2].(string)
		if ver, env, err = s.decode(cur, curEnc); err != nil {
			return env.State, err
		}
	}
	return env.State, fmt.Errorf("limiter redis %s: state of org %q changed by others %d times in a row", s.shown, s.org, maxCAS)
}

// remember keeps the last shared state seen.
func (s *Store) remember(env envelope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f.last, s.f.haveLast = env.clone(), true
}

// shared runs op against Redis unless the store is degraded. It reports
// whether op ran successfully; on a Redis failure (not the caller's
// cancellation) it degrades the store. A degraded store never makes a
// caller wait for a Redis that is down or slow: its heartbeat reconnects
// it in the background.
func (s *Store) shared(ctx context.Context, op func(context.Context) error) (bool, error) {
	if !s.connected() {
		return false, nil
	}
	err := op(ctx)
	if err == nil {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	s.mu.Lock()
	s.degradeLocked(err)
	s.mu.Unlock()
	return false, nil
}

func (s *Store) connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.f.degraded
}

func writes(w bool) int64 {
	if w {
		return 1
	}
	return 0
}
