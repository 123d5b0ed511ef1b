package batches

import (
	"path/filepath"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Follower follows the batch another process runs on one journal: the
// dashboard, whose journal a running "abtop submit" holds, watches that
// batch instead. Not safe for concurrent use.
type Follower struct {
	dir, journal string
	cur          Record
	have         bool
	seen         map[string]queue.Job
}

// Follow follows the batches running on journal (a path), as published
// in dir.
func Follow(dir, journal string) *Follower {
	if abs, err := filepath.Abs(journal); err == nil {
		journal = abs
	}
	return &Follower{dir: dir, journal: journal, seen: map[string]queue.Job{}}
}

// Poll reads the newest live batch on the journal and returns it with the
// jobs that changed since the last Poll; ok is false while no process
// runs a batch on it (the last one seen stays in Current).
func (f *Follower) Poll() (r Record, changed []queue.Job, ok bool) {
	list, err := List(f.dir, "")
	if err != nil {
		return f.cur, nil, false
	}
	for _, b := range list {
		if b.Alive && samePath(b.Journal, f.journal) {
			r, ok = b, true
			break
		}
	}
	if !ok {
		if f.have && f.cur.Alive {
			// the owner ended: what it last published is final
			f.cur.Alive = false
			if f.cur.State != StateDone {
				f.cur.State = StateGone
			}
		}
		return f.cur, nil, false
	}
	if f.have && r.ID != f.cur.ID {
		f.seen = map[string]queue.Job{} // a new batch on the journal
	}
	for _, j := range r.Jobs {
		if old, ok := f.seen[j.Key]; !ok || old.Updated != j.Updated || old.State != j.State || old.Wait != j.Wait {
			changed = append(changed, j)
			f.seen[j.Key] = j
		}
	}
	f.cur, f.have = r, true
	return r, changed, true
}

// Current is the batch last seen (zero before one was).
func (f *Follower) Current() (Record, bool) { return f.cur, f.have }

// Dir is where the followed batches are published (for Send).
func (f *Follower) Dir() string { return f.dir }

func samePath(a, b string) bool {
	if a == b {
		return true
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && filepath.Clean(aa) == filepath.Clean(bb)
}
