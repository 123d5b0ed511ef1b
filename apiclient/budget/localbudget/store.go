package localbudget

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// Options tune a Store. Zero values take the defaults.
type Options struct {
	// Plan is the starting point when the org has no state file yet (or
	// its file was unreadable).
	Plan budget.Plan
	// ReapEvery is how often (on the callers' clock: the instants passed
	// to Reserve, Observe and AcquireSlot) this store looks for processes
	// that died with units in flight; default 250 ms.
	ReapEvery time.Duration
	// SettleTimeout bounds Cancel, Observe and ReleaseSlot, which ignore
	// their caller's cancellation (a settle must not be lost because the
	// request that caused it was canceled); default 10 s. A settle that
	// times out is applied with the next operation that succeeds.
	SettleTimeout time.Duration
	// Logger receives an unreadable state file being replaced; default none.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.ReapEvery <= 0 {
		o.ReapEvery = 250 * time.Millisecond
	}
	if o.SettleTimeout <= 0 {
		o.SettleTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Store is a budget.Store shared by every process on the machine that opens
// it with the same directory and org. Safe for concurrent use.
type Store struct {
	org   string
	opts  Options
	paths paths
	id    string
	pid   int

	// mu serialises this store's goroutines: they share one open lock
	// file, and a flock does not exclude its own holder.
	mu sync.Mutex
	// file is the state file, open for the store's life: its flock is the
	// state lock (it is written in place, so its inode never changes).
	file      *os.File
	aliveFile *os.File
	closed    bool
	lastReap  time.Time
	// Settles that could not be written (see Options.SettleTimeout), to
	// apply before the next operation.
	owed []change
	bufs [2][]byte // read buffers of the two slots
}

var _ budget.Store = (*Store)(nil)

// paths are the files of one org in the state directory.
type paths struct {
	dir   string
	base  string // file name prefix: org-<hash>
	state string
}

// pathsFor names an org's files by a hash of its key, so any key (a URL
// host and profile, with slashes) makes a safe file name.
func pathsFor(dir, org string) paths {
	sum := sha256.Sum256([]byte(org))
	base := "org-" + hex.EncodeToString(sum[:8])
	return paths{
		dir:   dir,
		base:  base,
		state: filepath.Join(dir, base+".state"),
	}
}

func (p paths) alive(id string) string { return filepath.Join(p.dir, p.base+"."+id+".alive") }

// DefaultDir is where the budget files live unless told otherwise:
// $XDG_STATE_HOME/abtop/budget, else ~/.local/state/abtop/budget (on macOS
// too, like the journal). getenv is os.Getenv outside tests.
func DefaultDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "abtop", "budget"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("budget state directory: neither $XDG_STATE_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".local", "state", "abtop", "budget"), nil
}

// Open joins the processes sharing org's budget through the files in dir
// (created 0700 if missing). Errors name the directory: one that cannot
// be created or locked (a file system without flock) is the caller's cue
// to fall back to an in-process budget. Close releases it.
func Open(ctx context.Context, dir, org string, opts Options) (*Store, error) {
	if org == "" {
		return nil, errors.New("local budget: organization key is empty")
	}
	opts.defaults()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("local budget: %w", err)
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	s := &Store{org: org, opts: opts, paths: pathsFor(dir, org), pid: os.Getpid()}
	s.id = fmt.Sprintf("%d-%s", s.pid, hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(s.paths.state, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("local budget: %w", err)
	}
	s.file = f
	// The alive file is created and locked under the state lock, so a
	// process reaping (also under it) never takes a file that is not
	// locked yet for a dead one.
	err = s.locked(ctx, func() error {
		af, err := os.OpenFile(s.paths.alive(s.id), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if ok, err := tryLock(af); !ok || err != nil {
			af.Close()
			_ = os.Remove(af.Name())
			return errors.Join(errors.New("cannot lock a file of its own"), err)
		}
		s.aliveFile = af
		return nil
	})
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("local budget in %s: %w", dir, err)
	}
	return s, nil
}

// Close leaves the processes sharing the budget: what this store still had
// in flight is given back and it no longer counts. Idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.SettleTimeout)
	defer cancel()
	err := s.lockedLocked(ctx, func() error {
		env, seq, err := s.load()
		if err != nil {
			return err
		}
		env.forget(s.id)
		return writeState(s.file, env, seq+1)
	})
	s.closed = true
	// Removed before its lock is dropped, so nobody reaps it meanwhile.
	_ = os.Remove(s.aliveFile.Name())
	return errors.Join(err, s.aliveFile.Close(), s.file.Close())
}

// locked runs fn holding the state lock.
func (s *Store) locked(ctx context.Context, fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lockedLocked(ctx, fn)
}

// lockedLocked is locked for callers holding s.mu.
func (s *Store) lockedLocked(ctx context.Context, fn func() error) error {
	if err := lock(ctx, s.file); err != nil {
		return err
	}
	defer func() { _ = unlock(s.file) }() // closing the file would drop it too
	return fn()
}

// load reads the state under the lock. A missing file starts from the
// plan; an unreadable one too, after saying so (it is replaced by the next
// write): never a reason to stop submitting.
func (s *Store) load() (envelope, uint64, error) {
	env, seq, exists, err := readState(s.file, &s.bufs)
	switch {
	case errors.Is(err, errCorrupt):
		s.opts.Logger.Warn("budget state file unreadable, starting fresh", "path", s.paths.state, "err", err)
	case err != nil:
		return envelope{}, 0, fmt.Errorf("local budget: %w", err)
	}
	if err != nil || !exists {
		env = envelope{State: budget.NewState(s.opts.Plan)}
	}
	env.Org = s.org
	env.State = env.State.Clone()
	return env, seq, nil
}

// change applies one operation to the shared state and returns how it
// changed this store's units (and writes) in flight.
type change func(st *budget.State) (dInFlight, dWrites int64)

// update applies fn to the shared state atomically: lock, read, apply,
// write, unlock. now (the operation's reference instant; zero when it has
// none) paces the search for dead processes.
func (s *Store) update(ctx context.Context, now time.Time, fn change) (budget.State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return budget.State{}, errors.New("local budget: store is closed")
	}
	var out budget.State
	err := s.lockedLocked(ctx, func() error {
		env, seq, err := s.load()
		if err != nil {
			return err
		}
		if !now.IsZero() && (s.lastReap.IsZero() || now.Sub(s.lastReap) >= s.opts.ReapEvery || now.Before(s.lastReap)) {
			s.reap(&env)
			s.lastReap = now
		}
		st := &env.State
		var dIn, dW int64
		for _, c := range append(s.owed, fn) {
			in, w := c(st)
			dIn, dW = dIn+in, dW+w
		}
		env.track(s.id, s.pid, dIn, dW)
		if err := writeState(s.file, env, seq+1); err != nil {
			return fmt.Errorf("local budget: %w", err)
		}
		s.owed = nil
		out = env.State
		return nil
	})
	return out, err
}

// settle is update for operations that give units back or teach the
// others something (an embargo): they ignore the caller's cancellation,
// and when they fail anyway, later is applied before the next operation
// that succeeds (fn itself, or a more conservative form of it).
func (s *Store) settle(ctx context.Context, now time.Time, fn, later change) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.SettleTimeout)
	defer cancel()
	_, err := s.update(ctx, now, fn)
	if err != nil {
		s.mu.Lock()
		if !s.closed {
			s.owed = append(s.owed, later)
		}
		s.mu.Unlock()
	}
	return err
}
