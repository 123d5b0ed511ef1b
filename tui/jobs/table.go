// Package jobs is the jobs pane: a virtualised table of the session's jobs
// (only the visible rows are ever formatted, so 10,000 jobs cost the same
// per frame as 10), a filter, and the batch progress line.
package jobs

import (
	"fmt"
	"sort"
	"strings"
	"time"

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
	if m.showsFilterLine() {
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

// Progress is the batch line: done/total, rate, ETA and the queue state,
// and the bar of finished (final) jobs.
func (m *Model) Progress(w int, now time.Time, q data.QueueState, st styles.Styles) []string {
	return m.ProgressWith(w, now, q, st, "")
}

// ProgressWith is Progress with tail (the download line) beside the bar;
// the bar gives way to it, and gives way entirely on a narrow screen.
func (m *Model) ProgressWith(w int, now time.Time, q data.QueueState, st styles.Styles, tail string) []string {
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
	if tail != "" {
		tail = "  " + tail
		if bw -= text.Width(tail); bw < minBar {
			bw = 0 // the percentage says what a stub of a bar would
		}
	}
	frac := 0.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	filled := min(bw, int(frac*float64(max(0, bw))+0.5))
	bar := st.Calm.Render(strings.Repeat("█", max(0, filled))) + st.Dim.Render(strings.Repeat("░", max(0, bw-filled)))
	return []string{text.Cut(summary, w), text.Cut(bar+fmt.Sprintf("%4d%%", int(frac*100))+tail, w)}
}

// minBar is the narrowest bar drawn beside a download line.
const minBar = 10
