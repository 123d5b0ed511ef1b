// Package picker is the dashboard's list of batches: the ones other abtop
// processes of this machine run, and those that ended while it watched,
// one row each (source file, progress, state, owner pid). It only keeps the
// list and the selection and draws them; choosing is the caller's.
package picker

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// Item is one row: a batch, or (Back) the way back to the dashboard's own
// queue while another process's batch is shown.
type Item struct {
	Back  bool
	Label string // Back's words
	Batch data.Batch
}

// Model is the list and its selection.
type Model struct {
	items   []Item
	sel     int
	loaded  bool
	err     error
	current string // the id of the batch the jobs pane shows ("" its own queue)
}

// New is an empty list waiting for its first load; current is the batch
// the jobs pane shows now ("" for the dashboard's own queue).
func New(current string) Model { return Model{current: current} }

// Set replaces the list, keeping the selected batch selected when it is
// still listed, else selecting the one shown.
func (m *Model) Set(items []Item, err error) {
	prev, had := m.Selected()
	m.items, m.err, m.loaded = items, err, true
	m.sel = 0
	for i, it := range items {
		if had && it.Back == prev.Back && it.Batch.ID == prev.Batch.ID {
			m.sel = i
			return
		}
		if !had && !it.Back && it.Batch.ID == m.current {
			m.sel = i
		}
	}
}

// Move moves the selection by d rows, within the list.
func (m *Model) Move(d int) {
	if len(m.items) == 0 {
		return
	}
	m.sel = max(0, min(len(m.items)-1, m.sel+d))
}

// Selected is the selected row; false when the list is empty.
func (m Model) Selected() (Item, bool) {
	if m.sel < 0 || m.sel >= len(m.items) {
		return Item{}, false
	}
	return m.items[m.sel], true
}

// View draws the list in w×h cells at most: a title, then the rows that
// fit around the selection.
func (m Model) View(w, h int, st styles.Styles) []string {
	out := []string{st.Title.Render(text.Cut(" Batches on this machine", w)) + st.Dim.Render(text.Cut("  enter shows one in the jobs pane · esc closes", max(0, w-24)))}
	switch {
	case !m.loaded:
		return append(out, st.Dim.Render(text.Cut(" looking for batches…", w)))
	case m.err != nil:
		return append(out, st.Critical.Render(text.Cut(" cannot list batches: "+text.Clean(m.err.Error()), w)))
	case len(m.items) == 0:
		return append(out, st.Dim.Render(text.Cut(" no other abtop process runs a batch for this organization", w)))
	}
	rows := max(1, h-1)
	first := min(max(0, m.sel-rows+1), max(0, len(m.items)-rows))
	srcW := m.sourceWidth(w)
	for i := first; i < len(m.items) && i < first+rows; i++ {
		line := m.row(m.items[i], srcW)
		mark := "  "
		if i == m.sel {
			mark = "▸ "
		}
		line = text.Fit(mark+line, w)
		if i == m.sel {
			line = st.Selected.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// sourceWidth gives the file name what the other columns leave, 12–40.
func (m Model) sourceWidth(w int) int {
	return max(12, min(40, w-2-40))
}

func (m Model) row(it Item, srcW int) string {
	if it.Back {
		return text.Clean(it.Label)
	}
	b := it.Batch
	src := text.Fit(text.Clean(filepath.Base(b.Source)), srcW)
	prog := text.FitRight(fmt.Sprintf("%d/%d sent", b.Finished, b.Total), 15)
	state := text.Fit(text.Clean(b.State), 10)
	pid := "pid " + strconv.Itoa(b.PID)
	if b.ID == m.current {
		pid += " · shown"
	}
	return src + "  " + prog + "  " + state + "  " + pid
}
