package localbudget

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// magic starts every slot's header (see below); version is the format. A
// reader that meets another version treats the slot as unreadable (and
// says which version it found) rather than guess.
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
	e.State.Reclaim(p.InFlight, p.Writes)
	delete(e.Procs, id)
}

// The state file holds two slots, each a header line and a JSON body:
//
//	abtop-budget <format> <seq> <body length> <crc32 of body, hex>\n{…}\n
//
// A write goes to the slot that does not hold the newest state (seq%2), in
// place, under the lock. A writer killed halfway, or a power loss before
// the page cache reached the disk, leaves at worst that slot damaged, which
// its length and checksum reveal; the other slot still holds the state
// before it. Readers take the valid slot with the highest seq, so even a
// reader without the lock sees one whole state. Writing in place costs one
// pwrite; the write-temp-and-rename alternative made ext4 flush the data
// on every rename (auto_da_alloc): milliseconds per decision.
const (
	slotSize = 64 << 10 // far above any state (a few KiB with 50 slot leases)
	headMax  = 96       // longest header line
)

// errCorrupt marks a state file that exists but holds no readable state.
var errCorrupt = errors.New("not a readable abtop budget state")

func encodeSlot(e envelope, seq uint64) ([]byte, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encoding budget state: %w", err)
	}
	head := fmt.Sprintf("%s %d %d %d %08x\n", magic, version, seq, len(body), crc32.ChecksumIEEE(body))
	if len(head)+len(body) > slotSize {
		return nil, fmt.Errorf("budget state of %d bytes exceeds its slot of %d", len(body), slotSize)
	}
	return append([]byte(head), body...), nil
}

// decodeSlot parses one slot (data may run past its end).
func decodeSlot(data []byte) (envelope, uint64, error) {
	body, seq, err := checkSlot(data)
	if err != nil {
		return envelope{}, 0, err
	}
	e, err := decodeBody(body)
	return e, seq, err
}

// checkSlot verifies a slot's header and checksum and returns its body.
func checkSlot(data []byte) ([]byte, uint64, error) {
	head, _, ok := bytes.Cut(data[:min(len(data), headMax)], []byte("\n"))
	if !ok {
		return nil, 0, fmt.Errorf("%w: no header line", errCorrupt)
	}
	f := strings.Fields(string(head))
	if len(f) != 5 || f[0] != magic {
		return nil, 0, fmt.Errorf("%w: header %q", errCorrupt, clip(head))
	}
	if f[1] != strconv.Itoa(version) {
		return nil, 0, fmt.Errorf("%w: format %s, this abtop reads format %d", errCorrupt, clip([]byte(f[1])), version)
	}
	seq, err1 := strconv.ParseUint(f[2], 10, 64)
	n, err2 := strconv.Atoi(f[3])
	sum, err3 := strconv.ParseUint(f[4], 16, 32)
	if err := errors.Join(err1, err2, err3); err != nil || n < 0 || n > slotSize {
		return nil, 0, fmt.Errorf("%w: header %q", errCorrupt, clip(head))
	}
	body := data[len(head)+1:]
	if len(body) < n {
		return nil, 0, fmt.Errorf("%w: %d of %d bytes", errCorrupt, len(body), n)
	}
	body = body[:n]
	if crc32.ChecksumIEEE(body) != uint32(sum) {
		return nil, 0, fmt.Errorf("%w: checksum mismatch (a write was cut short)", errCorrupt)
	}
	return body, seq, nil
}

func decodeBody(body []byte) (envelope, error) {
	var e envelope
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

// readSlot reads slot i of f into buf (reused when big enough): its first
// block, and the rest of a body its header says is longer. Empty when the
// file ends before it.
func readSlot(f *os.File, i int, buf []byte) ([]byte, error) {
	off := int64(i) * slotSize
	if cap(buf) < 4096 {
		buf = make([]byte, 4096)
	}
	buf = buf[:4096]
	n, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	buf = buf[:n]
	if want := slotLen(buf); want > n {
		more := buf[:cap(buf)]
		if cap(buf) < want {
			more = make([]byte, want)
		}
		more = more[:want]
		m, err := f.ReadAt(more, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		buf = more[:m]
	}
	return buf, nil
}

// slotLen is the length of the slot whose start is data, as its header
// states it (0 when it has no plausible header: decodeSlot says why).
func slotLen(data []byte) int {
	head, _, ok := bytes.Cut(data[:min(len(data), headMax)], []byte("\n"))
	if !ok {
		return 0
	}
	f := strings.Fields(string(head))
	if len(f) != 5 {
		return 0
	}
	n, err := strconv.Atoi(f[3])
	if err != nil || n < 0 || len(head)+1+n > slotSize {
		return 0
	}
	return len(head) + 1 + n
}

// readState returns the newest valid state in f and its seq. exists is
// false for an empty file (a new org). An error wrapping errCorrupt means
// neither slot holds a state. bufs (nil, or a Store's, under its mutex)
// are reused between reads.
func readState(f *os.File, bufs *[2][]byte) (env envelope, seq uint64, exists bool, err error) {
	if bufs == nil {
		bufs = new([2][]byte)
	}
	fi, err := f.Stat()
	if err != nil {
		return envelope{}, 0, true, err
	}
	if fi.Size() == 0 {
		return envelope{}, 0, false, nil
	}
	var (
		bodies [2][]byte
		seqs   [2]uint64
		errs   [2]error
	)
	for i := range 2 {
		data, err := readSlot(f, i, bufs[i])
		if err != nil {
			return envelope{}, 0, true, err
		}
		bufs[i] = data
		bodies[i], seqs[i], errs[i] = checkSlot(data)
	}
	// Decode the newest intact slot; the other one only if that fails.
	order := [2]int{0, 1}
	if errs[0] != nil || (errs[1] == nil && seqs[1] > seqs[0]) {
		order = [2]int{1, 0}
	}
	for _, i := range order {
		if errs[i] != nil {
			continue
		}
		if env, errs[i] = decodeBody(bodies[i]); errs[i] == nil {
			return env, seqs[i], true, nil
		}
	}
	return envelope{}, 0, true, fmt.Errorf("slot 0: %w; slot 1: %v", errs[0], errs[1])
}

// writeState writes e as state seq into slot seq%2, which never holds the
// newest valid state (that is seq-1, or nothing). The caller holds the
// lock.
func writeState(f *os.File, e envelope, seq uint64) error {
	data, err := encodeSlot(e, seq)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(data, int64(seq%2)*slotSize)
	return err
}
