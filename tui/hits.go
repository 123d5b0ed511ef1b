package tui

// Hits: where Render drew each pane, recorded while it draws them, so a
// click is mapped to a pane and a job row by the layout on screen and not
// by a second copy of the layout's arithmetic.

// area is one pane's rectangle on screen.
type area struct {
	pane       pane
	x, y, w, h int
	// table is the screen line of the jobs table's heading (the first
	// line jobs.View draws) in a jobs area; -1 elsewhere. tableH is the
	// height jobs.View was given: the lines below are not the table's.
	table, tableH int
}

// hits collects the areas of one frame. A nil *hits records nothing, so
// rendering for the screen pays nothing for it.
type hits struct {
	top   int // screen line where the block being drawn starts
	below int // lines from here on are not on screen (the footer's line)
	areas []area
}

// add records a pane at x, y (y relative to top) of w×h cells.
func (hs *hits) add(p pane, x, y, w, h int) { hs.addJobs(p, x, y, w, h, -1, 0) }

// addJobs records the jobs pane: add's, with the table's heading line
// relative to the area's top (-1: none) and the height jobs.View drew
// it in.
func (hs *hits) addJobs(p pane, x, y, w, h, table, tableH int) {
	if hs == nil {
		return
	}
	a := area{pane: p, x: x, y: hs.top + y, w: w, h: h, table: -1}
	if table >= 0 {
		a.table, a.tableH = a.y+table, tableH
	}
	hs.areas = append(hs.areas, a)
}

// at is the area under the cell x, y; ok is false outside every pane.
func (hs *hits) at(x, y int) (area, bool) {
	if hs == nil || y >= hs.below {
		return area{}, false
	}
	for _, a := range hs.areas {
		if x >= a.x && x < a.x+a.w && y >= a.y && y < a.y+a.h {
			return a, true
		}
	}
	return area{}, false
}

// start begins the block drawn from screen line top; lines from below on
// are cut off for the footer.
func (hs *hits) start(top, below int) {
	if hs != nil {
		hs.top, hs.below = top, below
	}
}

// sidePane is what the side (or bottom) box shows: the log when open,
// else the selected job's detail.
func (m *Model) sidePane() pane {
	if m.showLog {
		return paneLog
	}
	return paneDetail
}
