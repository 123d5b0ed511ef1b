package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/tui/text"
)

// cellOf finds s on the rendered screen: its column (in cells) and line.
func cellOf(t *testing.T, m *Model, s string) (x, y int) {
	t.Helper()
	for y, l := range strings.Split(plain(m), "\n") {
		if i := strings.Index(l, s); i >= 0 {
			return text.Width(l[:i]), y
		}
	}
	t.Fatalf("%q is not on screen:\n%s", s, plain(m))
	return 0, 0
}

// rowOf finds job i of scenarioJobs on screen by its row: state, model,
// one attempt, then its age (each job's own) within the table's box.
func rowOf(t *testing.T, m *Model, i int) (x, y int) {
	t.Helper()
	models := []string{"flux-schnell", "kling-2.6", "veo-3.1", "flux-dev"}
	re := regexp.MustCompile(`(done|running)\s+` + regexp.QuoteMeta(models[i%4]) + `\s+1\s[^│]*\s` + itoa(40-i) + `s\b`)
	for y, l := range strings.Split(plain(m), "\n") {
		if loc := re.FindStringIndex(l); loc != nil {
			return text.Width(l[:loc[0]]), y
		}
	}
	t.Fatalf("job %d is not on screen:\n%s", i, plain(m))
	return 0, 0
}

func jobKey(i int) string { return fmt.Sprintf("k-%05d-5b1e2c", i) }

func click(m *Model, x, y int) { m.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}) }

func selectedID(m *Model) string {
	j, _ := m.jobs.Selected()
	return j.ID
}

// A click on a job's row selects that job, in every layout: the side
// column (160×48), the box under the jobs (100×30) and the compact one
// (80×24), and with the filter line shifting the rows down.
func TestClickSelectsTheRowUnderIt(t *testing.T) {
	for _, sz := range [][2]int{{160, 48}, {100, 30}, {80, 24}} {
		for _, filtered := range []bool{false, true} {
			name := sizeName(sz)
			if filtered {
				name += "/filtered"
			}
			t.Run(name, func(t *testing.T) {
				m, _ := scenario(sz[0], sz[1], true, 40)
				if filtered {
					m.Update(keyMsg("/"))
					typeText(m, "job_")
					m.Update(keyMsg("enter"))
				}
				// 1, 2, 36 and 37 are done, 4 is running (all match the
				// filter); 36 and 37 are seen after G scrolled the table
				for _, i := range []int{4, 2, 1, -1, 36, 37} {
					if i < 0 {
						m.Update(keyMsg("G"))
						continue
					}
					x, y := rowOf(t, m, i)
					click(m, x+2, y)
					if j, _ := m.jobs.Selected(); j.Key != jobKey(i) {
						t.Fatalf("click at %d,%d on job %d selected %s", x+2, y, i, j.Key)
					}
				}
			})
		}
	}
}

// A failed job's reason is its row's second line: a click on it selects
// that job, and a click on the heading selects nothing new.
func TestClickOnSecondLineAndHeading(t *testing.T) {
	m, _ := scenario(160, 48, true, 40)
	x, y := cellOf(t, m, "└ must be between")
	click(m, x, y)
	j, _ := m.jobs.Selected()
	if j.Key != "k-00005-5b1e2c" {
		t.Fatalf("click on a failure's reason selected %s, want the failed job k-00005", j.Key)
	}
	x, y = cellOf(t, m, "STATE")
	click(m, x, y)
	if j2, _ := m.jobs.Selected(); j2.Key != j.Key {
		t.Fatalf("click on the heading moved the selection to %s", j2.Key)
	}
}

// A click in the detail (or log) box focuses it; one back in the table
// focuses the jobs again.
func TestClickFocusesThePaneUnderIt(t *testing.T) {
	for _, sz := range [][2]int{{160, 48}, {100, 30}} {
		t.Run(sizeName(sz), func(t *testing.T) {
			m, _ := scenario(sz[0], sz[1], true, 40)
			x, y := cellOf(t, m, "Job detail")
			click(m, x, y+2)
			if m.focus != paneDetail || !strings.Contains(plain(m), "▸ Job detail") {
				t.Fatalf("click in the detail box: focus %d", m.focus)
			}
			m.Update(keyMsg("l"))
			x, y = cellOf(t, m, "Requests & errors")
			m.focus = paneJobs
			click(m, x, y+1)
			if m.focus != paneLog {
				t.Fatalf("click in the log box: focus %d", m.focus)
			}
			x, y = cellOf(t, m, "job_8f2a0002")
			click(m, x, y)
			if m.focus != paneJobs || selectedID(m) != "job_8f2a0002" {
				t.Fatalf("click in the table: focus %d, selected %s", m.focus, selectedID(m))
			}
		})
	}
}

// The wheel scrolls the pane under the pointer: over the table it moves
// the selection, over the detail it scrolls the detail and leaves the
// selection alone.
func TestWheelScrollsThePaneUnderThePointer(t *testing.T) {
	m, _ := scenario(160, 48, true, 40)
	tx, ty := cellOf(t, m, "job_8f2a0002")
	m.Update(tea.MouseWheelMsg{X: tx, Y: ty, Button: tea.MouseWheelDown})
	if j, _ := m.jobs.Selected(); j.Key != "k-00003-5b1e2c" {
		t.Fatalf("wheel down over the table selected %s, want 3 rows down (k-00003)", j.Key)
	}
	m.Update(tea.MouseWheelMsg{X: tx, Y: ty, Button: tea.MouseWheelUp})
	if j, _ := m.jobs.Selected(); j.Key != "k-00000-5b1e2c" {
		t.Fatalf("wheel up over the table selected %s, want k-00000", j.Key)
	}
	dx, dy := cellOf(t, m, "Job detail")
	m.Update(tea.MouseWheelMsg{X: dx, Y: dy + 3, Button: tea.MouseWheelDown})
	if j, _ := m.jobs.Selected(); j.Key != "k-00000-5b1e2c" || m.detailScroll != wheelStep {
		t.Fatalf("wheel over the detail: selected %s, detail scrolled %d", j.Key, m.detailScroll)
	}
}

// m hands the mouse to the terminal (the view asks for no mouse events,
// the footer says so) and takes it back; while off, a click does nothing.
func TestMouseKeyTogglesCapture(t *testing.T) {
	m, _ := scenario(160, 48, true, 40)
	if got := m.View().MouseMode; got != tea.MouseModeCellMotion {
		t.Fatalf("mouse mode at start %v, want cell motion", got)
	}
	x, y := cellOf(t, m, "job_8f2a0007")
	m.Update(keyMsg("m"))
	if got := m.View().MouseMode; got != tea.MouseModeNone {
		t.Fatalf("mouse mode after m %v, want none", got)
	}
	if s := plain(m); !strings.Contains(s, "mouse off: select and copy text") {
		t.Fatalf("toggle not said:\n%s", s)
	}
	click(m, x, y)
	if selectedID(m) == "job_8f2a0007" {
		t.Fatal("a click selected a row while the terminal had the mouse")
	}
	m.status = "" // the footer's key hints again
	if s := plain(m); !strings.Contains(s, "m mouse: off") {
		t.Fatalf("footer does not say the mouse is off:\n%s", s[strings.LastIndex(s, "\n"):])
	}
	m.Update(keyMsg("m"))
	if got := m.View().MouseMode; got != tea.MouseModeCellMotion {
		t.Fatalf("mouse mode after m twice %v, want cell motion", got)
	}
	m.status = ""
	if s := plain(m); !strings.Contains(s, "m mouse: on") {
		t.Fatalf("footer does not say the mouse is on:\n%s", s[strings.LastIndex(s, "\n"):])
	}
}

// A click on the jobs box's bottom border selects nothing: the row that
// would come next is not drawn (the table holds more jobs than fit).
func TestClickOnTheJobsBorderSelectsNothing(t *testing.T) {
	for _, sz := range [][2]int{{160, 48}, {100, 30}} {
		t.Run(sizeName(sz), func(t *testing.T) {
			m, _ := scenario(sz[0], sz[1], true, 40)
			_, head := cellOf(t, m, "STATE")
			lines := strings.Split(plain(m), "\n")
			border := -1
			for y := head + 1; y < len(lines) && border < 0; y++ {
				if strings.HasPrefix(lines[y], "╰") {
					border = y
				}
			}
			if border < 0 {
				t.Fatalf("no bottom border under the table:\n%s", plain(m))
			}
			before, _ := m.jobs.Selected()
			click(m, 5, border)
			if now, _ := m.jobs.Selected(); now.Key != before.Key {
				t.Fatalf("a click on the border (line %d) selected hidden %s (was %s)", border, now.Key, before.Key)
			}
		})
	}
}
