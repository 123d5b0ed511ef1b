// Package jobs is the jobs pane: a virtualised table of the session's jobs
// (only the visible rows are ever formatted, so 10,000 jobs cost the same
// per frame as 10), a filter, and the batch progress line.
package jobs

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/form"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// Model is the jobs table.
type Model struct {
	jobs   []data.Job
	index  map[string]int     // key → position in jobs
	counts map[data.State]int // state → number of jobs

	filter    string
	sortBy    int   // index into sorts; 0 is queue order
	view      []int // positions matching the filter, in sort order; nil means all in queue order
	filtering bool
	input     form.Field

	cursor int // position in the visible list (view or all)
	offset int // first row drawn
	height int // rows available for the table body, set by the layout

	finished []time.Time // recent finish times, for jobs/min
}

// New returns an empty table.
func New() Model {
	in := form.Field{Prompt: "/", Placeholder: "filter: state, model, id, code", Limit: 64}
	return Model{index: map[string]int{}, counts: map[data.State]int{}, input: in}
}

// Len is the number of jobs shown (after the filter).
func (m *Model) Len() int {
	if m.view != nil {
		return len(m.view)
	}
	return len(m.jobs)
}

// Total is the number of jobs in the session.
func (m *Model) Total() int { return len(m.jobs) }

// Count returns how many jobs are in state.
func (m *Model) Count(state data.State) int { return m.counts[state] }

// FailedOnServer is how many failed jobs the server had created: rerunning
// one is a new job under a new key, so r does not resend them.
func (m *Model) FailedOnServer() int {
	n := 0
	for i := range m.jobs {
		if m.jobs[i].State == data.StateFailed && m.jobs[i].ID != "" {
			n++
		}
	}
	return n
}

func (m *Model) at(i int) *data.Job {
	if m.view != nil {
		return &m.jobs[m.view[i]]
	}
	return &m.jobs[i]
}

// Selected returns the job under the cursor.
func (m *Model) Selected() (data.Job, bool) {
	if m.Len() == 0 {
		return data.Job{}, false
	}
	return *m.at(m.cursor), true
}

// Filtering reports whether the filter input has the keyboard.
func (m *Model) Filtering() bool { return m.filtering }

// Filter returns the active filter text.
func (m *Model) Filter() string { return m.filter }

// SetHeight tells the table how many body lines it gets.
func (m *Model) SetHeight(h int) {
	m.height = max(1, h)
	m.ensureVisible()
}

// Set replaces all jobs (initial load, or a resync after the queue's
// event stream may have dropped events). The selected job stays selected.
func (m *Model) Set(jobs []data.Job) {
	selKey := ""
	if j, ok := m.Selected(); ok {
		selKey = j.Key
	}
	m.jobs = m.jobs[:0]
	clear(m.index)
	clear(m.counts)
	view := m.view
	m.view = nil
	sortBy := m.sortBy
	m.sortBy = 0 // one sort at the end, not one per job
	for _, j := range jobs {
		m.Upsert(j, time.Time{})
	}
	m.sortBy = sortBy
	if view != nil || sortBy != 0 {
		cursor, offset := m.cursor, m.offset
		m.applyFilter(m.filter)
		m.cursor, m.offset = cursor, offset
	}
	if i, ok := m.index[selKey]; ok && m.view == nil {
		m.cursor = i
	}
	m.ensureVisible()
}

// Upsert adds a job or replaces it by key; at is when the event happened
// (used for the finish rate).
func (m *Model) Upsert(j data.Job, at time.Time) {
	if i, ok := m.index[j.Key]; ok {
		old := m.jobs[i].State
		m.counts[old]--
		m.counts[j.State]++
		if !old.Finished() && j.State.Finished() && !at.IsZero() {
			m.finished = append(m.finished, at)
			if len(m.finished) > 8192 { // keep memory bounded; old finishes no longer count
				i := sort.Search(len(m.finished), func(i int) bool { return at.Sub(m.finished[i]) <= rateSpan })
				m.finished = append(m.finished[:0], m.finished[i:]...)
			}
		}
		m.jobs[i] = j
		switch {
		case m.sortBy != 0:
			m.rebuild(true)
		case m.view != nil:
			m.refilter(i)
		}
		return
	}
	m.index[j.Key] = len(m.jobs)
	m.jobs = append(m.jobs, j)
	m.counts[j.State]++
	switch {
	case m.sortBy != 0:
		m.rebuild(true)
	case m.view != nil && matches(&j, m.filter):
		m.view = append(m.view, len(m.jobs)-1)
	}
}

// rateSpan is the window of the jobs/min figure.
const rateSpan = 5 * time.Minute

// Rate returns finished jobs per minute over the last five minutes.
func (m *Model) Rate(now time.Time) float64 {
	i := sort.Search(len(m.finished), func(i int) bool { return now.Sub(m.finished[i]) <= rateSpan })
	recent := m.finished[i:]
	if len(recent) == 0 {
		return 0
	}
	el := now.Sub(recent[0])
	if el < 10*time.Second {
		el = 10 * time.Second // a burst right after start is not a rate
	}
	return float64(len(recent)) / el.Minutes()
}

func matches(j *data.Job, f string) bool {
	if f == "" {
		return true
	}
	_, word, _ := stateLabel(j)
	for _, s := range []string{word, string(j.State), j.Model, j.ID, j.Key, j.Wait, j.Batch} {
		if strings.Contains(strings.ToLower(s), f) {
			return true
		}
	}
	if j.Problem != nil && strings.Contains(strings.ToLower(j.Problem.Code), f) {
		return true
	}
	// the prompt (any string of the input); raw JSON is close enough for a
	// substring search and costs no decoding per key press
	return bytes.Contains(bytes.ToLower(j.Input), []byte(f))
}

// refilter keeps the filtered view live when job i changed: it enters the
// view when it now matches, leaves it when it no longer does; the cursor
// stays on the job it was on.
func (m *Model) refilter(i int) {
	at := slices.Index(m.view, i)
	match := matches(&m.jobs[i], m.filter)
	if (at >= 0) == match {
		return
	}
	sel, hasSel := m.Selected()
	if match {
		pos, _ := slices.BinarySearch(m.view, i)
		m.view = slices.Insert(m.view, pos, i)
	} else {
		m.view = slices.Delete(m.view, at, at+1)
	}
	if hasSel {
		if k, ok := m.index[sel.Key]; ok {
			if p := slices.Index(m.view, k); p >= 0 {
				m.cursor = p
			}
		}
	}
	m.cursor = min(m.cursor, max(0, len(m.view)-1))
	m.ensureVisible()
}

func (m *Model) applyFilter(f string) {
	m.filter = strings.ToLower(strings.TrimSpace(f))
	m.rebuild(false)
	m.cursor, m.offset = 0, 0
}

// sorts are the orders s cycles through; 0 is the queue's own.
var sorts = []struct {
	name string
	less func(a, b *data.Job) bool
}{
	{"queue order", nil},
	{"state", func(a, b *data.Job) bool { return stateRank(a.State) < stateRank(b.State) }},
	{"model", func(a, b *data.Job) bool { return a.Model < b.Model }},
	{"age", func(a, b *data.Job) bool { return a.Enqueued.After(b.Enqueued) }}, // newest first
}

// stateRank puts what needs a look first: failures, then work in flight,
// then waiting, then finished.
func stateRank(s data.State) int {
	switch s {
	case data.StateFailed:
		return 0
	case data.StateRunning:
		return 1
	case data.StateCreated:
		return 2
	case data.StateSending:
		return 3
	case data.StatePending:
		return 4
	case data.StateSucceeded:
		return 5
	}
	return 6
}

// CycleSort moves to the next order and returns its name; the selected
// job stays selected.
func (m *Model) CycleSort() string {
	m.sortBy = (m.sortBy + 1) % len(sorts)
	m.rebuild(true)
	return sorts[m.sortBy].name
}

// rebuild recomputes the view from the filter and the order; with keep,
// the cursor stays on the job it was on.
func (m *Model) rebuild(keep bool) {
	sel, hasSel := m.Selected()
	if m.filter == "" && m.sortBy == 0 {
		m.view = nil
	} else {
		m.view = make([]int, 0, len(m.jobs))
		for i := range m.jobs {
			if matches(&m.jobs[i], m.filter) {
				m.view = append(m.view, i)
			}
		}
		if less := sorts[m.sortBy].less; less != nil {
			sort.SliceStable(m.view, func(a, b int) bool { return less(&m.jobs[m.view[a]], &m.jobs[m.view[b]]) })
		}
	}
	if !keep || !hasSel {
		return
	}
	if k, ok := m.index[sel.Key]; ok {
		pos := k
		if m.view != nil {
			pos = slices.Index(m.view, k)
		}
		if pos >= 0 {
			m.cursor = pos
		}
	}
	m.cursor = min(m.cursor, max(0, m.Len()-1))
	m.ensureVisible()
}

// StartFilter gives the filter input the keyboard.
func (m *Model) StartFilter() tea.Cmd {
	m.filtering = true
	m.input.SetValue(m.filter)
	m.input.Focus()
	return nil
}

// FilterKey handles a key while filtering: enter keeps the filter, esc
// clears it; anything else edits it live.
func (m *Model) FilterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		m.filtering = false
		m.input.Blur()
		return nil
	case "esc":
		m.filtering = false
		m.input.Blur()
		m.input.SetValue("")
		m.applyFilter("")
		return nil
	}
	if m.input.Update(msg) {
		m.applyFilter(m.input.Value())
	}
	return nil
}

// Move moves the cursor by d rows (clamped).
func (m *Model) Move(d int) {
	m.cursor = min(max(0, m.cursor+d), max(0, m.Len()-1))
	m.ensureVisible()
}

// Page moves by one screen.
func (m *Model) Page(dir int) { m.Move(dir * max(1, m.height-1)) }

// Home and End jump to the first and last row.
func (m *Model) Home() { m.Move(-m.Len()) }
func (m *Model) End()  { m.Move(m.Len()) }

// rowLines is how many lines row i takes.
func (m *Model) rowLines(i int) int {
	if second(m.at(i)) != "" {
		return 2
	}
	return 1
}

func (m *Model) ensureVisible() {
	n := m.Len()
	if n == 0 {
		m.cursor, m.offset = 0, 0
		return
	}
	m.cursor = min(max(0, m.cursor), n-1)
	h := max(1, m.height)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor-m.offset >= h {
		m.offset = m.cursor - h + 1
	}
	for m.offset < m.cursor {
		used := 0
		for i := m.offset; i <= m.cursor; i++ {
			used += m.rowLines(i)
		}
		if used <= h {
			break
		}
		m.offset++
	}
	m.offset = min(max(0, m.offset), n-1)
}

// View renders the table body (heading + rows) in w×h cells; it formats
// only the rows that fit.
func (m *Model) View(w, h int, now time.Time, st styles.Styles, focused bool) []string {
	out := make([]string, 0, h)
	if h <= 0 {
		return out
	}
	out = append(out, heading(w, st))
	if m.filtering || m.filter != "" {
		line := "/" + m.filter + "  " + st.Dim.Render(fmt.Sprintf("%d of %d match", m.Len(), len(m.jobs)))
		if m.filtering {
			line = m.input.View(max(10, w-24), st.Dim) + "  " + st.Dim.Render(fmt.Sprintf("%d of %d match", m.Len(), len(m.jobs)))
		}
		out = append(out, text.Fit(line, w))
	}
	if m.Len() == 0 {
		msg := "no jobs yet — press a to add one or o to load a JSONL file"
		if m.filter != "" {
			msg = "no job matches the filter (esc clears it)"
		}
		out = append(out, st.Dim.Render(text.Fit(msg, w)))
		return out
	}
	var b strings.Builder
	for i := m.offset; i < m.Len() && len(out) < h; i++ {
		j := m.at(i)
		out = append(out, row(&b, j, w, now, st, i == m.cursor))
		if s := second(j); s != "" && len(out) < h {
			out = append(out, st.Critical.Render(text.Fit("           └ "+s, w)))
		}
	}
	return out
}

// Progress is the batch line: done/total, rate, ETA and the queue state.
func (m *Model) Progress(w int, now time.Time, q data.QueueState, st styles.Styles) []string {
	total := len(m.jobs)
	done := m.counts[data.StateSucceeded] + m.counts[data.StateFailed] + m.counts[data.StateCanceled]
	state := st.Calm.Render("▶ running")
	if q.Paused {
		reason := q.Reason
		if reason == "" {
			reason = "paused"
		}
		state = st.Warning.Render("⏸ " + reason)
	}
	rate := m.Rate(now)
	// a failed job is finished, not done: each outcome is counted apart
	parts := []string{fmt.Sprintf("✓ %s succeeded", format.Count(int64(m.counts[data.StateSucceeded])))}
	if f := m.counts[data.StateFailed]; f > 0 {
		parts = append(parts, st.Critical.Render(fmt.Sprintf("✗ %s failed", format.Count(int64(f)))))
	}
	if c := m.counts[data.StateCanceled]; c > 0 {
		parts = append(parts, fmt.Sprintf("%s canceled", format.Count(int64(c))))
	}
	parts = append(parts, fmt.Sprintf("%s to go of %s", format.Count(int64(total-done)), format.Count(int64(total))))
	if rate > 0 {
		parts = append(parts, fmt.Sprintf("%.1f jobs/min", rate))
		// no ETA while paused: nothing is sent, so the pace says nothing
		if left := total - done; left > 0 && !q.Paused {
			eta := time.Duration(float64(left) / rate * float64(time.Minute))
			parts = append(parts, "ETA ~"+format.Duration(eta))
		}
	}
	parts = append(parts, state)
	summary := strings.Join(parts, " · ")
	bw := w - 5
	frac := 0.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	filled := min(bw, int(frac*float64(max(0, bw))+0.5))
	bar := st.Calm.Render(strings.Repeat("█", max(0, filled))) + st.Dim.Render(strings.Repeat("░", max(0, bw-filled)))
	return []string{text.Cut(summary, w), bar + fmt.Sprintf("%4d%%", int(frac*100))}
}
