package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/internal/localstate"
)

// StateFile is the name of the de-duplication state under the state
// directory ($XDG_STATE_HOME/abtop/).
const StateFile = "alerts.json"

// keepRecords is how long a record outlives its last change: longer than
// a monthly quota window, so a quiet month does not forget it fired.
const keepRecords = 62 * 24 * time.Hour

// record is the shared state of one rule instance of one profile.
type record struct {
	Window string    `json:"window,omitempty"`
	Fired  bool      `json:"fired"`
	At     time.Time `json:"at"` // the observation that last changed it
}

// Store holds which alerts fired, shared by every abtop process on the
// machine: each change happens under an exclusive lock of a lock file
// beside the state, and the state is replaced by an atomic rename, so a
// process killed at any instant leaves either the old or the new state.
// A Store with an empty path keeps its state in memory (one process).
type Store struct {
	path string
	mu   sync.Mutex // serializes this process's goroutines; the file lock the rest
	mem  map[string]record
}

// NewStore returns a Store backed by path (e.g. $XDG_STATE_HOME/abtop/alerts.json),
// or by memory when path is "".
func NewStore(path string) *Store { return &Store{path: path, mem: map[string]record{}} }

// fire records that key crossed in window, observed at at. It reports
// whether the caller is the one to send: false when any process already
// fired key in this window, or a newer observation has been recorded.
func (s *Store) fire(key, window string, at time.Time) (send bool, err error) {
	err = s.update(func(m map[string]record) bool {
		r, ok := m[key]
		if ok && (at.Before(r.At) || r.Fired && r.Window == window) {
			return false
		}
		m[key] = record{Window: window, Fired: true, At: at}
		send = true
		return true
	})
	return send, err
}

// rearm records that key moved back past its hysteresis margin.
func (s *Store) rearm(key string, at time.Time) error {
	return s.update(func(m map[string]record) bool {
		r, ok := m[key]
		if !ok || !r.Fired || at.Before(r.At) {
			return false
		}
		r.Fired, r.At = false, at
		m[key] = r
		return true
	})
}

// update applies fn to the state under the lock and saves it when fn
// reports a change.
func (s *Store) update(fn func(map[string]record) bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.path == "" {
		fn(s.mem)
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("alerts state: %w", err)
	}
	// A holder keeps the lock for one small read-modify-write; waiting
	// longer than this means something is wrong, and an alert must never
	// stall monitoring.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l, err := localstate.Acquire(ctx, s.path)
	if err != nil {
		return fmt.Errorf("alerts state: locking %s: %w", s.path, err)
	}
	defer l.Release()
	m, err := s.load()
	if err != nil {
		return err
	}
	if !fn(m) {
		return nil
	}
	return s.save(m)
}

// load reads the state; a missing file is an empty state and a corrupt
// one is started afresh (the worst outcome is one repeated alert).
func (s *Store) load() (map[string]record, error) {
	m := map[string]record{}
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("alerts state: %w", err)
	}
	if json.Unmarshal(data, &m) != nil {
		return map[string]record{}, nil
	}
	return m, nil
}

func (s *Store) save(m map[string]record) error {
	var newest time.Time
	for _, r := range m {
		if r.At.After(newest) {
			newest = r.At
		}
	}
	for k, r := range m {
		if newest.Sub(r.At) > keepRecords {
			delete(m, k)
		}
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("alerts state: %w", err)
	}
	if err := localstate.Replace(s.path, data, 0o600); err != nil {
		return fmt.Errorf("alerts state: %w", err)
	}
	return nil
}
