package tui

import (
	"math"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/history"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/chart"
	"github.com/abtop-dev/abtop/tui/text"
)

// zoomBuckets is how many buckets a zoomed chart asks for: two per cell
// of the widest chart, like the live one.
const zoomBuckets = 2 * 200

// refreshZoom reads the zoomed span again (nil while the chart is live).
func (m *Model) refreshZoom() tea.Cmd {
	if m.zoom == 0 || m.opts.History == nil {
		return nil
	}
	return chartCmd(m.ctx, m.opts.History, m.zoom, m.now, zoomBuckets)
}

// zoomChart draws the history's span like the live chart: the lowest
// remaining rate budget, and jobs created with 429s marked.
func (m *Model) zoomChart(w, rows int) (string, []string) {
	st := m.st
	span := history.Zooms[m.zoom-1]
	title := "History · last " + format.Duration(span) + " · remaining rate budget · jobs created"
	cw := max(1, w-chartLabel)
	c := m.zoomed
	if m.zoomErr != nil || len(c.Remaining) == 0 {
		msg := "reading the history…"
		if m.zoomErr != nil {
			msg = "history: " + describe(m.zoomErr)
		}
		out := []string{st.Dim.Render(text.Cut(msg, w))}
		for len(out) < rows+1 {
			out = append(out, "")
		}
		return title, out
	}
	// keep the newest 2×cw buckets: right-aligned, like the live chart
	n := min(len(c.Remaining), 2*cw) &^ 1
	off := len(c.Remaining) - n
	out := chartRows(chart.Area(c.Remaining[off:off+n], cw, rows, c.Limit), c.Limit, st)
	pairs, marks, peak := chart.Pair(c.Jobs[off:off+n], c.Throttled[off:off+n])
	out = append(out, sparkRow("jobs ▕", []rune(chart.Sparkline(pairs, cw, 0)), marks, cw-len(pairs), st))
	title += " (peak " + format.Count(int64(math.Round(peak))) + ") · ✕ 429 · z zoom"
	return title, out
}
