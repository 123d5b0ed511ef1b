// Package batches lets every abtop process on a machine see the batches the
// others are running, and steer them, without touching their journals.
//
// The owner of a batch (the process whose queue holds its journal open)
// stays its only writer. It publishes the batch as one small JSON file under
// $XDG_STATE_HOME/abtop/batches/, replaced whole (localstate.Replace) at most
// a few times a second and removed on a clean exit, and it holds the lock of
// that file (localstate.TryAcquire) for its whole life: a watcher that can
// take the lock knows the owner is gone, whatever killed it. Why a snapshot
// file rather than reading the journal or serving a socket: bbolt's
// read-only open still takes a shared flock, which the owner's exclusive one
// refuses; a socket needs a server goroutine per owner and a protocol, and
// its clients can slow the owner down. A file costs the owner one rename
// per change whoever watches, a watcher that disappears costs it nothing,
// and no watcher ever holds a lock the owner waits for.
//
// Commands (pause, resume, cancel) travel the other way as one file each in
// the batch's command directory, written atomically by the watcher and
// consumed (read, then removed) by the owner, which polls the directory:
// again no lock is shared.
package batches

import (
	"os"
	"path/filepath"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/internal/localstate"
)

// States of a published batch.
const (
	StateRunning = "running"
	StatePaused  = "paused"
	StateDone    = "done"
	// StateGone is a watcher's word for a batch whose owner died without
	// removing it: its journal is free again and says the rest.
	StateGone = "owner gone"
)

// Counts are a batch's jobs by progress.
type Counts struct {
	Total    int `json:"total"`
	Finished int `json:"finished"` // no longer waiting to be sent
	Created  int `json:"created"`  // created on the server (running or done there)
	Failed   int `json:"failed"`
	Canceled int `json:"canceled"`
	Pending  int `json:"pending"` // not sent yet
}

// Record is one published batch.
type Record struct {
	ID      string    `json:"id"`
	PID     int       `json:"pid"`
	Profile string    `json:"profile"`
	Org     string    `json:"org"`
	Source  string    `json:"source"` // the job file, or "standard input"
	Journal string    `json:"journal"`
	State   string    `json:"state"`
	Paused  string    `json:"paused,omitempty"` // why, while paused
	Counts  Counts    `json:"counts"`
	Share   string    `json:"rate_share"` // how the budget is shared
	Started time.Time `json:"started"`
	Updated time.Time `json:"updated_at"`
	// Jobs are the batch's rows without their inputs: what a watcher's
	// jobs pane shows (state, attempts, problem, wait, job id).
	Jobs []queue.Job `json:"jobs,omitempty"`
	// Alive is set by List: the owner still holds the batch's lock.
	Alive bool `json:"alive"`
}

// CountJobs tallies jobs by progress.
func CountJobs(jobs []queue.Job) Counts {
	var c Counts
	for _, j := range jobs {
		c.add(j)
	}
	return c
}

func (c *Counts) add(j queue.Job) {
	c.Total++
	switch j.State {
	case queue.StateCreated, queue.StateRunning, queue.StateSucceeded:
		c.Created++
	case queue.StateFailed:
		c.Failed++
	case queue.StateCanceled:
		c.Canceled++
	default:
		c.Pending++
	}
	if !j.State.Unfinished() {
		c.Finished++
	}
}

// Dir is where batches are published: the batches folder of the local
// state directory (localstate.Dir). getenv is os.Getenv when nil.
func Dir(getenv func(string) string) (string, error) {
	d, err := localstate.Dir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "batches"), nil
}

func recordPath(dir, id string) string { return filepath.Join(dir, "batch-"+id+".json") }
func commandDir(dir, id string) string { return filepath.Join(dir, "batch-"+id+".cmd") }

// pidOf is this process's id (a variable so tests can tell owners apart).
var pidOf = os.Getpid
