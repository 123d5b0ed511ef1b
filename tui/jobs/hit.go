package jobs

// showsFilterLine is whether View draws the filter line under the heading:
// while the filter is typed, and while one is set.
func (m *Model) showsFilterLine() bool { return m.filtering || m.filter != "" }

// RowAt is the row drawn at line (0 is View's first line, the heading) of
// the body View draws now, walking the rows the way View lays them out
// (a failed job's reason takes a second line, which belongs to its row).
// h is the height View was given: a line from h on is not the table's
// (the box's border, say), though rows past it wait to be scrolled to.
// ok is false on the heading, the filter line and below the last row.
func (m *Model) RowAt(line, h int) (row int, ok bool) {
	y := 1
	if m.showsFilterLine() {
		y++
	}
	if line < y || line >= h {
		return 0, false
	}
	for i := m.offset; i < m.Len(); i++ {
		y += m.rowLines(i)
		if line < y {
			return i, true
		}
	}
	return 0, false
}

// Select puts the cursor on row i (a position in the list as shown,
// after the filter and sort), clamped, and keeps it visible.
func (m *Model) Select(i int) {
	m.cursor = i
	m.ensureVisible()
}
