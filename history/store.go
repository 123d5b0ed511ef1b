package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Options configure a Store.
type Options struct {
	Path      string           // the bbolt file (config.DefaultHistory)
	Now       func() time.Time // default time.Now
	Retention Retention        // default DefaultRetention
	// LockTimeout bounds the wait for another process's flush (default 1 s).
	LockTimeout time.Duration
	// CompactEvery is how often retention runs, machine-wide (default 10 min).
	CompactEvery time.Duration
	// MaxBuffer bounds the limit points held between flushes (default
	// 100,000); beyond it new points are dropped and counted (Dropped).
	// Tallies are never dropped: there is one per minute and Dims.
	MaxBuffer int
}

// Store records observations into the history file and answers queries.
// Its methods are safe for concurrent use.
type Store struct {
	opts Options

	flushMu sync.Mutex // one flush at a time in this process

	mu      sync.Mutex
	points  map[pointKey]Point
	last    map[Series]Point // last point accepted, for change detection
	tallies map[tallyKey]Tally
	dropped int
}

type pointKey struct {
	s   Series
	sec int64
}

type tallyKey struct {
	d   Dims
	min int64 // Unix minute
}

// New returns a Store; nothing is opened until the first Flush or query.
func New(o Options) (*Store, error) {
	if o.Path == "" {
		return nil, errors.New("history: no path configured")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Retention == (Retention{}) {
		o.Retention = DefaultRetention
	}
	if err := o.Retention.Validate(); err != nil {
		return nil, err
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = time.Second
	}
	if o.CompactEvery <= 0 {
		o.CompactEvery = 10 * time.Minute
	}
	if o.MaxBuffer <= 0 {
		o.MaxBuffer = 100_000
	}
	return &Store{opts: o, points: map[pointKey]Point{}, last: map[Series]Point{}, tallies: map[tallyKey]Tally{}}, nil
}

// Path is the history file.
func (s *Store) Path() string { return s.opts.Path }

// Dropped counts limit points dropped because the buffer was full (the file
// stayed locked or unwritable for long).
func (s *Store) Dropped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// open opens the file for one short transaction. A reader that finds no
// file gets (nil, nil): there is no history yet.
func (s *Store) open(readOnly bool) (*bolt.DB, error) {
	if readOnly {
		if _, err := os.Stat(s.opts.Path); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
	} else if err := os.MkdirAll(filepath.Dir(s.opts.Path), 0o700); err != nil {
		return nil, fmt.Errorf("history %s: %w", s.opts.Path, err)
	}
	db, err := bolt.Open(s.opts.Path, 0o600, &bolt.Options{Timeout: s.opts.LockTimeout, ReadOnly: readOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("history %s: busy (another abtop process held it for %v)", s.opts.Path, s.opts.LockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", s.opts.Path, err)
	}
	return db, nil
}

// Bucket names. Points: points/<tier>/<series>/<unix sec> → point.
// Tallies: tallies/<tier>/<unix sec><dim id> → tally; dims maps a Dims to a
// 4-byte id (and back) so a tally key is 8 bytes, not a string of names.
var (
	bucketPoints  = []byte("points")
	bucketTallies = []byte("tallies")
	bucketDims    = []byte("dims")
	bucketDimIDs  = []byte("dim_ids")
	bucketMeta    = []byte("meta")
	keyCompacted  = []byte("compacted_at")
)

// Tiers, finest first.
type tier struct {
	name []byte
	res  time.Duration
}

var (
	tierRaw    = tier{[]byte("s"), time.Second}
	tierMinute = tier{[]byte("m"), time.Minute}
	tierHour   = tier{[]byte("h"), time.Hour}
	tiers      = [...]tier{tierRaw, tierMinute, tierHour}
)
