package batches

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/localstate"
)

// List returns the batches published in dir for organization org (every
// organization when org is ""), newest first, each with Alive set. An owner
// that died without cleaning up leaves its batch with Alive false and State
// StateGone. A directory that does not exist means no batch.
//
// Liveness is a TryAcquire of the batch's lock, held for two syscalls and
// only when the owner lost it: a running owner never waits for it.
func List(dir, org string) ([]Record, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, "batch-") || !strings.HasSuffix(n, ".json") {
			continue
		}
		r, ok := read(filepath.Join(dir, n))
		if !ok || (org != "" && r.Org != org) {
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Started.After(out[j].Started) })
	return out, nil
}

// Get returns batch id from dir, with Alive set; false when it is not
// published (any more).
func Get(dir, id string) (Record, bool) { return read(recordPath(dir, id)) }

func read(path string) (Record, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Record{}, false // removed between the listing and now: gone cleanly
	}
	var r Record
	if json.Unmarshal(data, &r) != nil {
		return Record{}, false
	}
	r.Alive = alive(path, r)
	if !r.Alive && r.State != StateDone {
		r.State = StateGone
	}
	return r, true
}

// KeepGone is how long a batch whose owner died stays listed: long enough
// to be noticed, short enough that the directory does not fill up.
const KeepGone = time.Hour

// alive says whether an owner holds path's lock. When the lock is free the
// owner is gone: a lock file this probe created for a batch already
// removed is removed again, and so is a dead batch older than KeepGone
// (under the lock, so two watchers never race on it).
func alive(path string, r Record) bool {
	l, err := localstate.TryAcquire(path)
	if errors.Is(err, localstate.ErrLocked) {
		return true
	}
	if err != nil {
		return false
	}
	defer l.Release()
	if _, serr := os.Stat(path); errors.Is(serr, os.ErrNotExist) {
		os.Remove(path + ".lock")
	} else if r.ID != "" && time.Since(r.Updated) > KeepGone {
		os.Remove(path)
		os.RemoveAll(commandDir(filepath.Dir(path), r.ID))
		os.Remove(path + ".lock")
	}
	return false
}
