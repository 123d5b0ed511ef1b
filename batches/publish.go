package batches

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
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

// Publish starts publishing r (its ID is assigned here) in dir, its rows
// and done as Stream takes them. It takes the batch's lock before the file
// exists, so no watcher can mistake a starting owner for a dead one.
func Publish(dir string, r Record, rows iter.Seq[queue.Job], done func(*Record, Counts) error) (*Publisher, error) {
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
	if err := p.Stream(r, rows, done); err != nil {
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

// Stream replaces the published record with r (r.Jobs unused; r.Updated,
// when set, is when r's state was read, else now) and the rows rows
// yields (none when nil), each encoded into the file as it comes: a batch
// of 100,000 rows is ~30 MB of JSON, which a Record would hold whole, and
// its encoder's buffer twice over. done, when not nil, completes r given the
// counts of the rows written (Own's first record of a big batch, which
// writes none, gives counts taken before instead), or fails the write.
func (p *Publisher) Stream(r Record, rows iter.Seq[queue.Job], done func(*Record, Counts) error) error {
	r.ID, r.Alive, r.Jobs = p.id, false, nil
	if r.Updated.IsZero() {
		r.Updated = time.Now().UTC()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.written = time.Now()
	// Replace, not WriteAtomic: the file only matters to processes running
	// now, so it costs no disk flush, and readers still never see it torn.
	p.err = localstate.ReplaceWith(p.path, 0o600, func(w io.Writer) error {
		c, err := writeRows(w, rows)
		if err != nil {
			return err
		}
		if done != nil {
			if err := done(&r, c); err != nil {
				return err // the file keeps its last record
			}
		}
		head, err := json.Marshal(r) // "{…}" without jobs: they are written
		if err != nil {
			return err
		}
		_, err = w.Write(head[1:])
		return err
	})
	return p.err
}

// writeRows writes the opening of a record, `{"jobs":[row,…],` or just
// `{` when there is no row (as omitempty would), and counts the rows.
func writeRows(w io.Writer, rows iter.Seq[queue.Job]) (Counts, error) {
	var c Counts
	if rows == nil {
		rows = noRows
	}
	enc := json.NewEncoder(w)
	var err error
	for j := range rows {
		sep := ","
		if c.Total == 0 {
			sep = `{"jobs":[`
		}
		if _, err = io.WriteString(w, sep); err != nil {
			return c, err
		}
		if err = enc.Encode(j); err != nil {
			return c, err
		}
		c.add(j)
	}
	sep := "{"
	if c.Total > 0 {
		sep = "],"
	}
	_, err = io.WriteString(w, sep)
	return c, err
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
