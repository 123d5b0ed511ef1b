// Mouse: a click focuses the pane under it and selects the job row under
// it, the wheel scrolls the pane under the pointer, and a key hands the
// mouse back to the terminal so its own text selection works again.

package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/tui/styles"
)

// wheelStep is how many lines one wheel notch scrolls.
const wheelStep = 3

// mouseMode is the mouse mode the view asks the terminal for.
func (m *Model) mouseMode() tea.MouseMode {
	if m.mouseOff {
		return tea.MouseModeNone
	}
	return tea.MouseModeCellMotion
}

// paneAt is the pane drawn under the cell x, y, found by drawing the
// frame again with its areas recorded: the same drawing as on screen,
// so no second copy of the layout can drift from it. A click is rare
// enough for one frame's cost (about 0.2 ms at 160×48).
func (m *Model) paneAt(x, y int) (area, bool) {
	var hs hits
	m.render(&hs)
	return hs.at(x, y)
}

// mouseOwned is whether mouse events are the dashboard's: not while the
// terminal has the mouse, nor while a form or the help is on top.
func (m *Model) mouseOwned() bool { return !m.mouseOff && m.overlay == noOverlay }

func (m *Model) onClick(msg tea.MouseClickMsg) {
	if !m.mouseOwned() || msg.Button != tea.MouseLeft {
		return
	}
	a, ok := m.paneAt(msg.X, msg.Y)
	if !ok {
		return
	}
	m.focus = a.pane
	if a.table < 0 {
		return
	}
	row, ok := m.jobs.RowAt(msg.Y-a.table, a.tableH)
	if !ok {
		return
	}
	before, _ := m.jobs.Selected()
	m.jobs.Select(row)
	if now, _ := m.jobs.Selected(); now.Key != before.Key {
		m.detailScroll = 0 // a new job's detail starts at its top
	}
}

func (m *Model) onWheel(msg tea.MouseWheelMsg) {
	if !m.mouseOwned() {
		return
	}
	var d int
	switch msg.Button {
	case tea.MouseWheelUp:
		d = -wheelStep
	case tea.MouseWheelDown:
		d = wheelStep
	default:
		return // sideways: nothing here scrolls sideways
	}
	p := m.focus
	if a, ok := m.paneAt(msg.X, msg.Y); ok {
		p = a.pane
	}
	m.scrollPane(p, d)
}

// toggleMouse gives the mouse to the terminal (its text selection works)
// or takes it back (clicks and the wheel work); the footer's hint and the
// help follow the state.
func (m *Model) toggleMouse() {
	m.mouseOff = !m.mouseOff
	m.keys.ShowMouse(!m.mouseOff)
	m.layout()
	k := m.keys.Mouse.Help().Key
	if m.mouseOff {
		m.setStatus(styles.Calm, "mouse off: select and copy text with the terminal; "+k+" turns clicks and the wheel back on")
		return
	}
	m.setStatus(styles.Calm, "mouse on: click a job or pane, wheel to scroll; "+k+" (or shift+drag in most terminals) selects text")
}
