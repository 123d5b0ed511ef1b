package batches

import (
	"os"
	"path/filepath"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Follower follows the batch another process runs on one journal: the
// dashboard, whose journal a running "abtop submit" holds, watches that
// batch instead. Not safe for concurrent use.
type Follower struct {
	dir, journal string
	find         func() (Record, bool) // the batch followed, as published now
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
	f := &Follower{dir: dir, journal: journal, seen: map[string]queue.Job{}}
	f.find = func() (Record, bool) { return OnJournal(f.dir, f.journal) }
	return f
}

// FollowID follows one batch by its id (the dashboard's batch picker): a
// batch whose owner died is read once from its journal, and so is one
// whose owner ended while it was followed.
func FollowID(dir, id string) *Follower {
	f := &Follower{dir: dir, seen: map[string]queue.Job{}}
	f.find = func() (Record, bool) { return Get(dir, id) }
	return f
}

// Poll reads the newest live batch on the journal and returns it with the
// jobs that changed since the last Poll; ok is false while no process
// runs a batch on it (the last one seen stays in Current).
func (f *Follower) Poll() (r Record, changed []queue.Job, ok bool) {
	r, found := f.find()
	if !found || !r.Alive {
		if found && !f.have {
			// first seen after its owner died: what it published, then
			// what its journal says
			f.cur, f.have = r, true
			f.cur.Alive = true
			for _, j := range r.Jobs {
				f.seen[j.Key] = j
			}
			changed = append(changed, r.Jobs...)
		}
		if f.have && f.cur.Alive {
			changed = append(changed, f.settle()...)
		}
		return f.cur, changed, false
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

// OnJournal returns the newest live batch published in dir whose owner
// holds journal: who to name when the journal is in use.
func OnJournal(dir, journal string) (Record, bool) {
	list, err := List(dir, "")
	if err != nil {
		return Record{}, false
	}
	for _, b := range list {
		if b.Alive && samePath(b.Journal, journal) {
			return b, true
		}
	}
	return Record{}, false
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

// settle reads the batch's final state from its journal once its owner
// has gone (the owner publishes at most a few times a second, so its last
// changes may not have been published; the journal, now free, has them).
// The journal is held for one read; a journal that cannot be opened (a
// new owner already holds it) leaves the last published state. A big
// batch's first record has counts but no rows: with no row to settle, its
// counts stay and its end is unknown (gone), never "done" with no job.
func (f *Follower) settle() (changed []queue.Job) {
	f.cur.Alive = false
	defer func() {
		if len(f.cur.Jobs) == 0 && f.cur.Counts.Total > 0 {
			f.cur.State = StateGone
			return
		}
		f.cur.Counts = CountJobs(f.cur.Jobs)
		if f.cur.Counts.Pending == 0 {
			f.cur.State, f.cur.Paused = StateDone, ""
		} else {
			f.cur.State = StateGone
		}
	}()
	if _, err := os.Stat(f.cur.Journal); err != nil {
		return nil // never create a journal by looking
	}
	j, err := queue.OpenJournalWait(f.cur.Journal, 100*time.Millisecond)
	if err != nil {
		return nil
	}
	all, err := j.Load()
	j.Close()
	if err != nil {
		return nil
	}
	byKey := make(map[string]queue.Job, len(all))
	for _, job := range all {
		byKey[job.Key] = job
	}
	for i, old := range f.cur.Jobs {
		now, ok := byKey[old.Key]
		if !ok {
			continue
		}
		now.Input = nil
		if now.Updated != old.Updated || now.State != old.State {
			changed = append(changed, now)
			f.seen[now.Key] = now
		}
		f.cur.Jobs[i] = now
	}
	return changed
}
