package tui

import (
	"math"
	"strings"

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
	area := chart.Area(c.Remaining[off:off+n], cw, rows, c.Limit)
	out := make([]string, 0, rows+1)
	top := "max"
	if c.Limit > 0 {
		top = format.Count(int64(c.Limit))
	}
	for i, l := range area {
		lab := "     │"
		switch i {
		case 0:
			lab = text.FitRight(top, 5) + "┤"
		case len(area) - 1:
			lab = "    0┤"
		}
		out = append(out, st.Dim.Render(lab)+st.Accent.Render(l))
	}
	pairs, marks, peak := chart.Pair(c.Jobs[off:off+n], c.Throttled[off:off+n])
	spark := []rune(chart.Sparkline(pairs, cw, 0))
	var sb strings.Builder
	sb.WriteString(st.Dim.Render("jobs ▕"))
	gap := cw - len(pairs)
	for i, r := range spark {
		if i >= gap && marks[i-gap] {
			sb.WriteString(st.Critical.Render("✕"))
		} else {
			sb.WriteRune(r)
		}
	}
	out = append(out, sb.String())
	title += " (peak " + format.Count(int64(math.Round(peak))) + ") · ✕ 429 · z zoom"
	return title, out
}
