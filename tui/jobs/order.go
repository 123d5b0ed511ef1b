package jobs

import (
	"bytes"
	"slices"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/tui/data"
)

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
