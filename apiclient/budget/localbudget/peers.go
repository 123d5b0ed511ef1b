package localbudget

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// A live Store holds a flock on its alive file (<base>.<id>.alive) for its
// whole life; the kernel drops it when the process dies.

// liveness says whether the alive file at path belongs to a live store.
// When its owner is gone and take is true, the file is removed (the caller
// holds the state lock, so no store is creating its file meanwhile).
func liveness(path string, take bool) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	got, err := tryLock(f)
	if err != nil {
		return false, err
	}
	if !got {
		return true, nil
	}
	if take {
		// Removed while we hold its lock, then closed (which unlocks).
		_ = os.Remove(path)
	}
	return false, nil
}

// aliveFiles lists the alive files of the org in dir, by store id.
func (p paths) aliveFiles() (map[string]string, error) {
	ents, err := os.ReadDir(p.dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range ents {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, p.base+".")
		if !ok {
			continue
		}
		if id, ok := strings.CutSuffix(rest, ".alive"); ok && id != "" {
			out[id] = filepath.Join(p.dir, name)
		}
	}
	return out, nil
}

// reap gives back the units in flight of every store that died (its alive
// file is unlocked or gone) and removes their files. The caller holds the
// state lock. Errors only cost the cleanup: a peer that cannot be checked
// is taken as alive (it may be: giving its units back early could let an
// exclusive request out beside its requests).
func (s *Store) reap(env *envelope) {
	files, err := s.paths.aliveFiles()
	if err != nil {
		return
	}
	dead := map[string]bool{}
	for id, path := range files {
		if id == s.id {
			continue
		}
		if alive, err := liveness(path, true); err == nil && !alive {
			dead[id] = true
		}
	}
	for id := range env.Procs {
		if _, ok := files[id]; !ok && id != s.id {
			dead[id] = true // its file is gone: so is it
		}
	}
	for id := range dead {
		env.forget(id)
	}
}

// Status is what the TUI header, `abtop status` and `submit` show about
// the budget shared on this machine.
type Status struct {
	Backend   string `json:"backend"` // "local"
	Dir       string `json:"dir"`
	Org       string `json:"org"`
	Processes int    `json:"processes"` // live abtop processes sharing it
}

// String renders the status in one line: "shared locally · 2 processes".
func (st Status) String() string {
	if st.Processes == 0 {
		return "shared locally · no process running"
	}
	unit := "processes"
	if st.Processes == 1 {
		unit = "process"
	}
	return fmt.Sprintf("shared locally · %d %s", st.Processes, unit)
}

// Status counts the live stores sharing this one's budget, this one
// included. It reads the directory and tries a lock per store, without the
// state lock: a few syscalls per process.
func (s *Store) Status() Status {
	n, _ := countAlive(s.paths)
	return Status{Backend: "local", Dir: s.paths.dir, Org: s.org, Processes: max(1, n)}
}

// Peek reports the budget shared in dir for org without joining it (a
// joining store counts itself), for a reader such as `abtop status`. A
// directory that does not exist yet means nobody is running.
func Peek(dir, org string) (Status, error) {
	st := Status{Backend: "local", Dir: dir, Org: org}
	n, err := countAlive(pathsFor(dir, org))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("local budget: %w", err)
	}
	st.Processes = n
	return st, nil
}

func countAlive(p paths) (int, error) {
	files, err := p.aliveFiles()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, path := range files {
		if alive, err := liveness(path, false); err == nil && alive {
			n++
		}
	}
	return n, nil
}

// Sharing is the store's state for the surfaces that show how a budget is
// shared (budget.Sharer): the live processes, this one included.
func (s *Store) Sharing() budget.Sharing {
	st := s.Status()
	return budget.Sharing{Shared: true, Peers: st.Processes, Org: st.Org, Text: st.String(), Detail: st}
}
