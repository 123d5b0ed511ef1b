package batches

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Owner publishes a running batch of a queue and carries out the commands
// watchers send it.
type Owner struct {
	pub   *Publisher
	q     *queue.Queue
	batch map[string]bool
	meta  Record
	share func() string
	log   io.Writer

	stop chan struct{}
	done chan struct{}
}

// OwnerOptions describe the batch to publish.
type OwnerOptions struct {
	Dir   string
	Meta  Record          // Profile, Org, Source, Journal; the rest is filled in
	Queue *queue.Queue    // the queue running the batch
	Batch map[string]bool // the batch's job keys; nil: every job of the queue
	// Share says how the budget is shared now, e.g. "shared locally · 2
	// processes"; nil: "".
	Share func() string
	// Log receives one line per command carried out ("abtop: paused by
	// the dashboard (pid 4242)"); nil: discarded.
	Log io.Writer
}

// pollEvery is how often the owner looks for commands and changes: a
// change reaches a watcher within pollEvery + MinInterval + its own poll.
const pollEvery = 100 * time.Millisecond

// Own publishes the batch and starts following it; Close ends it.
func Own(o OwnerOptions) (*Owner, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Share == nil {
		o.Share = func() string { return "" }
	}
	w := &Owner{q: o.Queue, batch: o.Batch, meta: o.Meta, share: o.Share, log: o.Log,
		stop: make(chan struct{}), done: make(chan struct{})}
	w.meta.PID, w.meta.Started = pidOf(), time.Now().UTC()
	// A big batch's first record has its counts but not its rows, which
	// the first tick writes: 100,000 rows take a second or more to encode,
	// and the batch's first request should not wait for them.
	// Its counts are then the ones taken here; rows written give their
	// own, which the queue cannot have changed in between.
	rows, done := w.snapshot()
	c := w.count()
	if c.Total > firstRows {
		rows, done = noRows, counted(c)
	}
	pub, err := Publish(o.Dir, w.head(), rows, done)
	if errors.Is(err, errReordered) {
		// reordered while the rows were read: counts now, rows at the
		// first tick
		pub, err = Publish(o.Dir, w.head(), noRows, counted(w.count()))
	}
	if err != nil {
		return nil, err
	}
	w.pub = pub
	events, unsub := o.Queue.Subscribe(256)
	go w.run(events, unsub)
	return w, nil
}

func (w *Owner) run(events <-chan queue.Event, unsub func()) {
	defer close(w.done)
	defer unsub()
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	dirty, beat, quiet := true, time.Now(), time.Time{} // the rows are still to write
	for {
		select {
		case <-w.stop:
			return
		case _, ok := <-events:
			if !ok {
				events = nil
			}
			dirty = true
		case now := <-t.C:
			// read is stamped before the commands are taken: the record
			// then says "every command sent before read is applied",
			// which a watcher checks before it believes the record over
			// what it asked (a later stamp let a pause sent between Take
			// and the write look applied, and the next space paused again)
			read := time.Now().UTC()
			for _, c := range w.pub.Take() {
				w.apply(c)
				dirty = true
			}
			// a heartbeat every second keeps the share and updated_at fresh
			if (dirty || now.Sub(beat) >= time.Second) && w.pub.Due(now) && now.After(quiet) {
				h := w.head()
				h.Updated = read
				rows, done := w.snapshot()
				err := w.pub.Stream(h, rows, done)
				// A big batch's record is costly to write (100,000 rows:
				// ~30 MB of JSON): at most a tenth of the time goes to it,
				// whatever MinInterval allows. A failed write (a reorder
				// while its rows were read) is made again.
				took := time.Since(now)
				dirty, beat, quiet = err != nil, now, now.Add(10*took)
			}
		}
	}
}

func (w *Owner) apply(c Command) {
	switch c.Op {
	case OpPause:
		w.q.Pause(fmt.Sprintf("by the dashboard (pid %d)", c.PID))
	case OpResume:
		w.q.Resume()
	case OpCancel:
		if w.batch != nil && !w.batch[c.Key] {
			return // not this batch's job: a stale or forged command
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := w.q.Cancel(ctx, c.Key)
		cancel()
		if err != nil {
			fmt.Fprintf(w.log, "abtop: cancel of job %s asked by the dashboard (pid %d) failed: %v\n", c.Key, c.PID, err)
			return
		}
	default:
		return
	}
	fmt.Fprintf(w.log, "abtop: %s\n", c.Describe())
}

// head is the batch as it stands but for its rows and counts, which
// Stream writes and tallies (settleState then completes the state).
func (w *Owner) head() Record {
	r := w.meta
	r.Share = w.share()
	r.State = StateRunning
	if p := w.q.Paused(); p != "" {
		r.State, r.Paused = StatePaused, p
	}
	return r
}

// settleState gives r the counts of its rows: a batch with nothing left
// to send is done.
func settleState(r *Record, c Counts) {
	r.Counts = c
	if c.Pending == 0 {
		r.State = StateDone
	}
}

// count tallies the batch's rows without writing them, in one pass under
// the queue's lock (no reorder in between).
func (w *Owner) count() Counts {
	var c Counts
	w.q.Each(func(j queue.Job) {
		if w.batch == nil || w.batch[j.Key] {
			c.add(j)
		}
	})
	return c
}

// counted completes a record written without rows from counts c.
func counted(c Counts) func(*Record, Counts) error {
	return func(r *Record, _ Counts) error { settleState(r, c); return nil }
}

func noRows(func(queue.Job) bool) {}

// firstRows is the most rows Own writes before it returns (a few ms).
const firstRows = 1024

// rowChunk is how many rows are copied out of the queue at a time (a job
// is ~450 bytes): the lock is held for a chunk, not the whole batch.
const rowChunk = 256

// errReordered fails a write whose rows were read across a reorder of the
// queue: positions then named other jobs, and a row was missed or
// repeated. The file keeps its last record until the write is made again.
var errReordered = errors.New("batches: the queue was reordered while its rows were written")

// snapshot returns the batch's rows, chunk by chunk in queue order, and
// what completes the record from their counts, or fails the write when
// the queue was reordered while they were read.
func (w *Owner) snapshot() (iter.Seq[queue.Job], func(*Record, Counts) error) {
	reordered := false
	rows := func(yield func(queue.Job) bool) {
		buf := make([]queue.Job, 0, rowChunk)
		for c := (queue.RowCursor{}); ; {
			chunk, next, ok := w.q.RowsFrom(c, w.batch, buf)
			reordered = !ok
			if len(chunk) == 0 {
				return
			}
			for _, j := range chunk {
				if !yield(j) {
					return
				}
			}
			c = next
		}
	}
	done := func(r *Record, c Counts) error {
		if reordered {
			return errReordered
		}
		settleState(r, c)
		return nil
	}
	return rows, done
}

// Close stops following the batch and removes it from the published ones:
// its journal, free once the owner closes it, tells the rest.
func (w *Owner) Close() error {
	if w == nil || w.pub == nil {
		return nil
	}
	close(w.stop)
	<-w.done
	err := w.pub.Close()
	w.pub = nil
	return err
}
