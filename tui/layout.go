// Layout: how a frame's rows and columns are shared out by terminal size
// (gauges only, compact, wide, wide with a side column).

package tui

// Layout modes by terminal size.
type mode int

const (
	gaugesOnly mode = iota // below 60×20
	compact                // below 100 columns: one column, no boxes
	wide                   // 100 columns and more
)

// Minimum sizes.
const (
	minW, minH = 60, 20
	wideW      = 100
	sideW      = 140 // from here the detail/log sit beside the jobs
)

// plan is the vertical budget of one frame.
type plan struct {
	mode      mode
	chartRows int // braille rows (0: no chart)
	lower     int // lines left for the queue/detail/log area
	side      int // width of the side column (wide ≥ 140), else 0
	bottom    int // lines of the detail/log box under the jobs (wide < 140)
	tableRows int // job rows that fit
}

func (m *Model) plan() plan {
	w, h := m.width, m.height
	p := plan{mode: wide}
	switch {
	case w < minW || h < minH:
		p.mode = gaugesOnly
		return p
	case w < wideW:
		p.mode = compact
	}
	if p.mode == compact {
		// header, 4 gauge lines, sources, binding, footer
		rest := h - 1 - 4 - 1 - 1 - 1
		if h >= 28 {
			p.chartRows = 2
			rest -= p.chartRows + 2 // title and sparkline
		}
		p.lower = rest
		// progress (2) and table heading + filter line (2)
		p.tableRows = max(1, rest-4)
		return p
	}
	// header, gauge boxes (5, or 6 with the forecast), binding, footer
	rest := h - 1 - m.boxRows() - 1 - 1
	switch {
	case h >= 40:
		p.chartRows = 4
	case h >= 28:
		p.chartRows = 2
	}
	if p.chartRows > 0 {
		rest -= p.chartRows + 3
	}
	p.lower = rest
	if w >= sideW {
		p.side = w * 2 / 5
	} else if rest >= 16 {
		p.bottom = min(max(6, rest/3), 10)
		if m.showLog {
			// the log is read, not glanced at: give it half the room
			p.bottom = max(p.bottom, rest/2)
		}
	}
	// queue box: borders (2), progress bar (1), heading + filter (2)
	p.tableRows = max(1, rest-p.bottom-5)
	return p
}

// layout tells the components their sizes after a resize or pane change.
func (m *Model) layout() {
	m.jobs.SetHeight(m.plan().tableRows)
	m.footer = footerKeys(m.help, m.keys.ShortHelp(), m.keys.Help, m.keys.Quit, m.width-1)
}

func (m *Model) bodyRows() int { return m.plan().tableRows }
