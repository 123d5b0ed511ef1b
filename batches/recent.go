package batches

import (
	"sort"
	"sync"
	"time"
)

// StateEnded is a watcher's word for a batch whose owner exited cleanly
// while it watched: the owner removed the published file, and its journal
// holds the rest (it may have stopped with jobs unsent, after a ^C).
const StateEnded = "ended"

// Recent lists the batches other processes run for one organization, and
// those that ended while this process watched, so a batch that finished a
// minute ago can still be picked. Safe for concurrent use.
type Recent struct {
	Dir string
	Org string // "" for every organization
	// Self is this process's pid: its own batches are not listed (it shows
	// them itself).
	Self int
	// Keep is how long an ended batch stays listed; KeepGone when zero.
	Keep time.Duration

	mu   sync.Mutex
	seen map[string]Record // every batch listed so far, without its jobs
}

// List returns the running batches (as List does) and the ones that ended
// since, newest first; now ages the ended ones out.
func (r *Recent) List(now time.Time) ([]Record, error) {
	live, err := List(r.Dir, r.Org)
	if err != nil {
		return nil, err
	}
	keep := r.Keep
	if keep <= 0 {
		keep = KeepGone
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]Record{}
	}
	listed := map[string]bool{}
	var out []Record
	for _, b := range live {
		if b.PID == r.Self && b.Alive {
			continue
		}
		b.Jobs = nil // the picker shows counts; a follower reads the jobs
		r.seen[b.ID], listed[b.ID] = b, true
		out = append(out, b)
	}
	for id, b := range r.seen {
		switch {
		case listed[id]:
		case now.Sub(b.Updated) > keep:
			delete(r.seen, id)
		default:
			if b.Alive {
				// its file is gone: the owner closed it on the way out
				b.Alive, b.State, b.Paused = false, StateEnded, ""
				r.seen[id] = b
			}
			out = append(out, b)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.After(out[j].Started) })
	return out, nil
}
