package localbudget

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"strconv"
	"strings"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// header is the first line of every state file; the number is the format
// version. A reader that meets another version treats the file as
// unreadable (and says which version it found) rather than guess.
const (
	magic   = "abtop-budget"
	version = 1
)

// envelope is what the state file holds: the org's budget.State, whole,
// plus the per-process books that let a dead process's units in flight be
// given back.
type envelope struct {
	Org   string          `json:"org"`
	Procs map[string]proc `json:"procs,omitempty"`
	State budget.State    `json:"state"`
}

// proc is one live Store's units in flight (State.InFlight is their sum).
// Entries with nothing in flight are dropped, so the file stays small.
type proc struct {
	PID      int   `json:"pid"`
	InFlight int64 `json:"in_flight"`
	Writes   int64 `json:"writes"`
}

func (e *envelope) clone() envelope {
	c := *e
	c.State = e.State.Clone()
	c.Procs = maps.Clone(e.Procs)
	return c
}

// track books id's change of units (and writes) in flight.
func (e *envelope) track(id string, pid int, dIn, dWrites int64) {
	if dIn == 0 && dWrites == 0 {
		return
	}
	if e.Procs == nil {
		e.Procs = map[string]proc{}
	}
	p := e.Procs[id]
	p.PID = pid
	p.InFlight = max(0, p.InFlight+dIn)
	p.Writes = max(0, p.Writes+dWrites)
	if p.InFlight == 0 && p.Writes == 0 {
		delete(e.Procs, id)
	} else {
		e.Procs[id] = p
	}
}

// forget gives back everything id had in flight and drops its entry.
func (e *envelope) forget(id string) {
	p, ok := e.Procs[id]
	if !ok {
		return
	}
	e.State.InFlight = max(0, e.State.InFlight-p.InFlight)
	e.State.WritesInFlight = max(0, e.State.WritesInFlight-p.Writes)
	delete(e.Procs, id)
}

// errCorrupt marks a state file that exists but cannot be read as one.
var errCorrupt = errors.New("not a readable abtop budget state")

func encode(e envelope) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d\n", magic, version)
	if err := json.NewEncoder(&b).Encode(e); err != nil {
		return nil, fmt.Errorf("encoding budget state: %w", err)
	}
	return b.Bytes(), nil
}

func decode(data []byte) (envelope, error) {
	var e envelope
	head, body, ok := bytes.Cut(data, []byte("\n"))
	if !ok {
		return e, fmt.Errorf("%w: no header line (%d bytes)", errCorrupt, len(data))
	}
	rest, ok := strings.CutPrefix(string(head), magic+" ")
	v, err := strconv.Atoi(rest)
	if !ok || err != nil {
		return e, fmt.Errorf("%w: header %q, want %q", errCorrupt, clip(head), fmt.Sprintf("%s %d", magic, version))
	}
	if v != version {
		return e, fmt.Errorf("%w: format %d, this abtop reads format %d", errCorrupt, v, version)
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return envelope{}, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	return e, nil
}

// clip keeps an error message about a damaged file short and printable.
func clip(b []byte) string {
	if len(b) > 40 {
		b = b[:40]
	}
	return strings.ToValidUTF8(string(b), "?")
}

// readFile returns the state at path; exists is false when there is none.
func readFile(path string) (env envelope, exists bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return envelope{}, false, nil
	}
	if err != nil {
		return envelope{}, true, err
	}
	env, err = decode(data)
	return env, true, err
}

// writeFile replaces the state at path atomically: a temporary file (one
// fixed name: only the lock holder writes) renamed over it. The caller
// holds the lock.
func writeFile(path string, e envelope) error {
	data, err := encode(e)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	// A stray temporary file left by a writer that died is replaced; it is
	// removed first so a file left with another mode is never reused.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
