package batches

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/internal/localstate"
)

// Publisher keeps one batch's file current for watchers. Safe for
// concurrent use.
type Publisher struct {
	dir, id, path string
	lock          *localstate.Lock

	mu      sync.Mutex
	written time.Time // the last write, for the rate limit
	err     error     // the last write's failure (watchers then see a stale file)
}

// MinInterval is the shortest time between two writes of a batch's file:
// a watcher polls it, and a change must reach it within a second.
const MinInterval = 200 * time.Millisecond

// Publish starts publishing r (its ID is assigned here) in dir. It takes
// the batch's lock before the file exists, so no watcher can mistake a
// starting owner for a dead one.
func Publish(dir string, r Record) (*Publisher, error) {
	r.ID = strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	p := &Publisher{dir: dir, id: r.ID, path: recordPath(dir, r.ID)}
	lock, err := localstate.TryAcquire(p.path)
	if err != nil {
		return nil, fmt.Errorf("publishing the batch: %w", err)
	}
	p.lock = lock
	if err := os.MkdirAll(commandDir(dir, r.ID), 0o700); err != nil {
		p.Close()
		return nil, fmt.Errorf("publishing the batch: %w", err)
	}
	if err := p.write(r); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// ID names the published batch.
func (p *Publisher) ID() string { return p.id }

// Due says whether a write now would respect MinInterval.
func (p *Publisher) Due(now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return now.Sub(p.written) >= MinInterval
}

// Update replaces the published record (its ID kept). Callers rate-limit
// with Due; the final state is written whatever the rate.
func (p *Publisher) Update(r Record) error { return p.write(r) }

func (p *Publisher) write(r Record) error {
	r.ID, r.Alive = p.id, false
	r.Updated = time.Now().UTC()
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.written = time.Now()
	// Replace, not WriteAtomic: the file only matters to processes running
	// now, so it costs no disk flush, and readers still never see it torn.
	p.err = localstate.Replace(p.path, data, 0o600)
	return p.err
}

// Close removes the batch's files, then lets go of its lock. Idempotent.
func (p *Publisher) Close() error {
	if p.lock == nil {
		return nil
	}
	errs := []error{ignoreMissing(os.Remove(p.path)), ignoreMissing(os.RemoveAll(commandDir(p.dir, p.id)))}
	errs = append(errs, ignoreMissing(os.Remove(p.path+".lock")), p.lock.Release())
	p.lock = nil
	return errors.Join(errs...)
}

func ignoreMissing(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
