package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	live "github.com/abtop-dev/abtop/batches"
	"github.com/abtop-dev/abtop/tui/data"
)

// batchAdapter presents the batch another abtop process runs on the
// dashboard's journal as tui.Queue: the jobs come from what the owner
// publishes, and pause, resume and cancel are sent to the owner. It
// converts and forwards; the following itself is package batches'.
type batchAdapter struct {
	f      *live.Follower
	events chan data.Event

	mu  sync.Mutex
	cur live.Record
	ok  bool
	// asked is the pause or resume last sent to the owner, and when: until
	// the owner publishes a record after it, the record still says what
	// was true before, and shown as such it flipped the pane back (a
	// second space then paused again instead of resuming).
	asked   string // live.OpPause, live.OpResume or ""
	askedAt time.Time
}

// followEvery is how often the published batch is read: with the owner's
// own rate limit a change shows within a second.
const followEvery = 150 * time.Millisecond

func newBatchAdapter(ctx context.Context, dir, journal string) *batchAdapter {
	return followBatch(ctx, live.Follow(dir, journal))
}

// followBatch presents the batch f follows until ctx ends.
func followBatch(ctx context.Context, f *live.Follower) *batchAdapter {
	a := &batchAdapter{f: f, events: make(chan data.Event, 1024)}
	// The first reading is kept, not sent: nobody listens yet (a batch of
	// more jobs than the buffer holds would block here until ctx ended),
	// and the TUI loads it whole through Jobs and State.
	a.cur, _, a.ok = f.Poll()
	go func() {
		defer close(a.events)
		t := time.NewTicker(followEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if !a.poll(ctx) {
					return
				}
			}
		}
	}()
	return a
}

// poll reads the batch once and emits what changed; false when ctx ended.
func (a *batchAdapter) poll(ctx context.Context) bool {
	r, changed, ok := a.f.Poll()
	a.mu.Lock()
	stateChanged := ok != a.ok || r.ID != a.cur.ID || r.State != a.cur.State || r.Counts != a.cur.Counts || r.Paused != a.cur.Paused || r.Share != a.cur.Share
	a.cur, a.ok = r, ok
	a.mu.Unlock()
	at := r.Updated
	for _, j := range changed {
		dj := convertJob(j)
		if !a.send(ctx, data.Event{At: at, Job: &dj}) {
			return false
		}
	}
	if stateChanged {
		st := a.State()
		return a.send(ctx, data.Event{At: at, State: &st})
	}
	return true
}

func (a *batchAdapter) send(ctx context.Context, e data.Event) bool {
	select {
	case a.events <- e:
		return true
	case <-ctx.Done():
		return false
	}
}

func (a *batchAdapter) Events() <-chan data.Event { return a.events }

func (a *batchAdapter) Jobs() []data.Job {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]data.Job, len(a.cur.Jobs))
	for i, j := range a.cur.Jobs {
		out[i] = convertJob(j)
	}
	return out
}

func (a *batchAdapter) State() data.QueueState {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := batchState(a.cur, a.ok)
	if a.asked != "" && a.ok && !a.cur.Updated.After(a.askedAt) {
		// the owner has not published since: show what was asked
		st.Paused = a.asked == live.OpPause
		if st.Paused {
			st.Reason = "paused: asked of pid " + strconv.Itoa(a.cur.PID)
		} else {
			st.Reason = ""
		}
	}
	return st
}

// batchState is the queue state the dashboard shows for another
// process's batch.
func batchState(r live.Record, running bool) data.QueueState {
	st := data.QueueState{}
	if r.ID == "" {
		st.Owner = "another abtop process (waiting for its batch)"
		return st
	}
	st.Owner = fmt.Sprintf("pid %d · %s · %d/%d sent", r.PID, filepath.Base(r.Source), r.Counts.Finished, r.Counts.Total)
	switch {
	case r.State == live.StatePaused:
		st.Paused, st.Reason = true, "paused: "+r.Paused
	case !running:
		st.Owner += " · " + r.State
	}
	return st
}

// errNotOwner is what the dashboard says to a change only the owner of the
// batch can make.
var errNotOwner = errors.New("this batch belongs to another abtop process: add jobs there, or once it ends")

func (a *batchAdapter) Enqueue(context.Context, data.Spec) error      { return errNotOwner }
func (a *batchAdapter) LoadFile(context.Context, string) (int, error) { return 0, errNotOwner }
func (a *batchAdapter) RetryFailed(context.Context) (int, error)      { return 0, errNotOwner }
func (a *batchAdapter) Pause(context.Context) error {
	return a.command(live.Command{Op: live.OpPause})
}
func (a *batchAdapter) Resume(context.Context) error {
	return a.command(live.Command{Op: live.OpResume})
}
func (a *batchAdapter) Cancel(_ context.Context, key string) error {
	return a.command(live.Command{Op: live.OpCancel, Key: key})
}

func (a *batchAdapter) command(c live.Command) error {
	a.mu.Lock()
	id, ok := a.cur.ID, a.ok
	a.mu.Unlock()
	if !ok {
		return live.ErrEnded
	}
	if err := live.Send(a.f.Dir(), id, c); err != nil {
		return err
	}
	// stamped once the command's file is in place: a record the owner
	// stamps later was read after its Take saw the file
	at := time.Now().UTC()
	if c.Op == live.OpPause || c.Op == live.OpResume {
		a.mu.Lock()
		a.asked, a.askedAt = c.Op, at
		a.mu.Unlock()
	}
	return nil
}
