package results

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/internal/localstate"
)

// Entry is one manifest line: one input line and what became of it.
type Entry struct {
	Line       int             `json:"line"`
	Model      string          `json:"model"`
	Input      json.RawMessage `json:"input"`
	Key        string          `json:"idempotency_key"`
	JobID      string          `json:"job_id,omitempty"`
	Status     string          `json:"status"` // succeeded, failed, canceled, or the queue's state while not final
	Credits    float64         `json:"credits"`
	CreatedAt  *time.Time      `json:"created_at,omitempty"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
	Attempts   int             `json:"attempts"`
	Outputs    []Output        `json:"outputs"`
	Error      *Problem        `json:"error"`
	// Previous are earlier operations of the same line, replaced by a
	// resubmission with a new key (--retry-failed), oldest first.
	Previous []Entry `json:"previous,omitempty"`
	retry    int
}

// Output is one file of a succeeded job.
type Output struct {
	Path        string `json:"path"` // relative to the output directory, '/'-separated
	ContentType string `json:"content_type"`
	Bytes       int64  `json:"bytes"`
	SHA256      string `json:"sha256"`
	Verified    bool   `json:"verified"`        // on disk, size and sha256 checked
	Error       string `json:"error,omitempty"` // why it is not on disk
}

// manifest holds the lines in memory and rewrites DIR/manifest.jsonl
// whole (temporary file, fsync, rename), so a reader sees the previous
// version or the next, never a torn one. Each line's JSON is kept encoded
// and re-encoded only when it changes, so a rewrite of a 100,000-line
// manifest is one concatenation and one write.
type manifest struct {
	path string

	mu      sync.Mutex
	entries map[string]*Entry
	encoded map[string][]byte
	order   []string // group keys sorted by line; nil when a group was added
	dirty   bool
}

func newManifest(dir string) *manifest {
	return &manifest{path: filepath.Join(dir, ManifestName), entries: map[string]*Entry{}, encoded: map[string][]byte{}}
}

// group is the line an operation belongs to: its input line, or its key
// when the line is unknown.
func group(line int, key string) string {
	if line > 0 {
		return "l" + strconv.Itoa(line)
	}
	return "k" + key
}

// set stores e as its line's entry. A later operation of the line (a
// higher retry) moves the earlier one to Previous; an earlier one arriving
// late (a replayed journal) goes to Previous of the later one.
func (m *manifest) set(e Entry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	g := group(e.Line, e.Key)
	cur, ok := m.entries[g]
	switch {
	case !ok:
		m.order = nil
	case cur.Key == e.Key:
		e.Previous = cur.Previous
	case e.retry > cur.retry:
		prev := *cur
		prev.Previous = nil
		e.Previous = appendPrevious(cur.Previous, prev)
	default:
		late := e
		late.Previous = nil
		cur.Previous = appendPrevious(cur.Previous, late)
		e = *cur
	}
	m.entries[g] = &e
	m.encoded[g] = encodeEntry(e)
	m.dirty = true
}

// appendPrevious keeps one entry per key, ordered by retry.
func appendPrevious(list []Entry, e Entry) []Entry {
	out := make([]Entry, 0, len(list)+1)
	for _, p := range list {
		if p.Key != e.Key {
			out = append(out, p)
		}
	}
	out = append(out, e)
	sort.SliceStable(out, func(i, j int) bool { return out[i].retry < out[j].retry })
	return out
}

func encodeEntry(e Entry) []byte {
	if len(e.Input) == 0 || !json.Valid(e.Input) {
		e.Input = jsonString(string(e.Input))
	}
	for i := range e.Previous {
		if len(e.Previous[i].Input) == 0 || !json.Valid(e.Previous[i].Input) {
			e.Previous[i].Input = jsonString(string(e.Previous[i].Input))
		}
	}
	if e.Outputs == nil {
		e.Outputs = []Output{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(e) // every field is encodable once Input is valid JSON
	return b.Bytes()
}

func jsonString(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(s)
	return b
}

// snapshot returns the whole manifest's bytes and whether it changed
// since the last flush (clearing the flag).
func (m *manifest) snapshot() ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirty {
		return nil, false
	}
	if m.order == nil {
		m.order = make([]string, 0, len(m.entries))
		for g := range m.entries {
			m.order = append(m.order, g)
		}
		sort.Slice(m.order, func(i, j int) bool {
			a, b := m.entries[m.order[i]], m.entries[m.order[j]]
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Key < b.Key
		})
	}
	size := 0
	for _, g := range m.order {
		size += len(m.encoded[g])
	}
	out := make([]byte, 0, size)
	for _, g := range m.order {
		out = append(out, m.encoded[g]...)
	}
	m.dirty = false
	return out, true
}

// markDirty asks for another write after a failed one.
func (m *manifest) markDirty() {
	m.mu.Lock()
	m.dirty = true
	m.mu.Unlock()
}

// flush writes the manifest if it changed.
func (m *manifest) flush() error {
	data, changed := m.snapshot()
	if !changed {
		return nil
	}
	if err := localstate.WriteAtomic(m.path, data, 0o644); err != nil {
		m.markDirty()
		return err
	}
	return nil
}

// all returns copies of every entry, in manifest order.
func (m *manifest) all() []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Entry, 0, len(m.entries))
	for _, e := range m.entries {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// update records how one output file of operation key ended, unless the
// line has moved on to another operation.
func (m *manifest) update(line int, key string, idx int, f apiclient.File, r fileResult) {
	m.mu.Lock()
	defer m.mu.Unlock()
	g := group(line, key)
	e, ok := m.entries[g]
	if !ok || e.Key != key || idx >= len(e.Outputs) {
		return
	}
	outs := append([]Output(nil), e.Outputs...) // the old slice may be in a copy get handed out
	o := &outs[idx]
	o.ContentType, o.Bytes, o.SHA256 = f.ContentType, f.SizeBytes, f.SHA256
	o.Verified = r.ok
	o.Error = ""
	if r.err != nil && !r.interrupted {
		o.Error = r.err.Error()
	}
	e.Outputs = outs
	m.encoded[g] = encodeEntry(*e)
	m.dirty = true
}
