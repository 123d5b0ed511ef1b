package tui

import (
	"math"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/apiclient/plans"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/chart"
	"github.com/abtop-dev/abtop/tui/frame"
	"github.com/abtop-dev/abtop/tui/gauges"
	"github.com/abtop-dev/abtop/tui/header"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// View renders the whole screen from the model; it reads no clock.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = m.mouseMode()
	v.WindowTitle = "abtop"
	return v
}

// Render is the screen as text, exactly width×height cells.
func (m *Model) Render() string { return m.render(nil) }

// render draws the screen, recording in hs (when not nil) where each pane
// went: a click is mapped by this same drawing (see hits.go).
func (m *Model) render(hs *hits) string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := m.st
	p := m.plan()
	gin := m.gaugeInput()
	gs := gauges.Build(gin, st)
	lines := make([]string, 0, h)
	lines = append(lines, header.Render(m.headerInfo(), w, st))

	if m.overlay == helpOverlay {
		lines = append(lines, "", st.Title.Render(" Keys")+st.Dim.Render("  (any key closes)"), "")
		for _, l := range m.fullHelp(w - 1) {
			lines = append(lines, " "+l)
		}
		return finish(lines, w, h)
	}

	switch p.mode {
	case gaugesOnly:
		lines = append(lines, gauges.Stacked(append(gs, gauges.Caps(gin, st)...), w, true, st)...)
		lines = append(lines, gauges.Sources(gs, w, m.now, st))
		lines = append(lines, gauges.Binding(gin, st, w, false))
		lines = append(lines, st.Dim.Render(text.Cut(" enlarge to 60×20 for jobs and charts", w)))
		return finish(lines, w, h)
	case compact:
		lines = append(lines, gauges.Stacked(append(gs, gauges.Caps(gin, st)...), w, false, st)...)
		lines = append(lines, gauges.Sources(gs, w, m.now, st))
		lines = append(lines, gauges.Binding(gin, st, w, false))
		if p.chartRows > 0 {
			title, cl := m.chart(w, p.chartRows)
			lines = append(lines, st.Title.Render(text.Cut(title, w)))
			lines = append(lines, cl...)
		}
		hs.start(len(lines), h-1)
		lines = append(lines, m.lowerCompact(w, p, hs)...)
	case wide:
		boxes := gs[:3]
		if w >= sideW {
			boxes = gs
		}
		lines = append(lines, gauges.Boxes(boxes, w, m.now, st)...)
		lines = append(lines, gauges.Stacked(gauges.Caps(gin, st), w, false, st)...)
		lines = append(lines, gauges.Binding(gin, st, w, w < sideW))
		if p.chartRows > 0 {
			title, cl := m.chart(w-2, p.chartRows)
			lines = append(lines, frame.Box(title, cl, w, p.chartRows+3, st.Border, st.Title)...)
		}
		hs.start(len(lines), h-1)
		lines = append(lines, m.lowerWide(w, p, hs)...)
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:min(len(lines), h-1)], m.footerLine(w))
	return finish(lines, w, h)
}

// fullHelp lays the key groups out in as many rows of columns as the
// width needs, so no group is cut off on a narrow terminal (at 60 columns
// the last column, with help and quit, used to end in "…").
func (m *Model) fullHelp(w int) []string {
	hm := m.help // a copy: View must not change the model
	hm.SetWidth(0)
	var out, row []string
	var groups [][]key.Binding
	flush := func() {
		if len(groups) > 0 {
			if len(out) > 0 {
				out = append(out, "")
			}
			out = append(out, row...)
		}
		groups, row = nil, nil
	}
	for _, g := range m.keys.FullHelp() {
		try := text.Lines(hm.FullHelpView(append(groups[:len(groups):len(groups)], g)))
		if len(groups) > 0 && maxWidth(try) > w {
			flush()
			try = text.Lines(hm.FullHelpView([][]key.Binding{g}))
		}
		groups, row = append(groups, g), try
	}
	flush()
	return out
}

func maxWidth(lines []string) int {
	n := 0
	for _, l := range lines {
		n = max(n, text.Width(l))
	}
	return n
}

// finish cuts or pads to exactly h lines of w cells.
func finish(lines []string, w, h int) string {
	if len(lines) > h {
		lines = lines[:h]
	}
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			b.WriteString(text.Fit(lines[i], w))
		} else {
			b.WriteString(strings.Repeat(" ", w))
		}
	}
	return b.String()
}

func (m *Model) headerInfo() header.Info {
	in := header.Info{
		Org: text.Clean(m.limiter.Org), Plan: text.Clean(m.usage.Plan), Profile: m.opts.Profile,
		MaskedToken: m.opts.MaskedToken, TokenSource: m.opts.TokenSource,
		Now: m.now, Sandbox: m.opts.Sandbox, Limiter: m.limiter, Batches: m.batchesLine(),
	}
	last := m.lastPoll
	if r := m.usage.Rate; r != nil && r.At.After(last) {
		last = r.At
	}
	in.LastData = last
	switch {
	case m.usage.Embargoed(m.now):
		in.Conn = header.Embargo
	case m.pollErr != nil:
		in.Conn = header.Failing
		in.Problem = describe(m.pollErr)
		in.RetryAt = m.nextPoll // what abtop does about it: polls again then
	case last.IsZero():
		in.Conn = header.Connecting
	case m.now.Sub(last) > 2*m.pollInterval()+m.opts.PollInterval:
		in.Conn = header.Stale
	default:
		in.Conn = header.Live
	}
	return in
}

func (m *Model) gaugeInput() gauges.Input {
	in := gauges.Input{S: m.usage, Now: m.now, PollInterval: m.opts.PollInterval, Running: m.running(), Caps: m.caps, Forecast: m.forecast}
	switch {
	case m.queue.Concurrency > 0:
		in.Concurrency, in.ConcFrom = m.queue.Concurrency, "queue"
	case m.conc > 0:
		in.Concurrency, in.ConcFrom = m.conc, "server"
	default:
		if c, ok := plans.Concurrency(m.usage.Plan); ok && c > 0 {
			in.Concurrency, in.ConcFrom = c, m.usage.Plan+" plan default"
		}
	}
	return in
}

// chartLabel is the width of the chart's y-axis labels.
const chartLabel = 6

// chart draws the remaining-budget area chart and a requests/min
// sparkline with 429s marked, w cells wide, and its title. The span is
// what the history really holds, never more than it keeps, and the
// sparkline's scale (its peak) is in the title, so no bar is unlabelled.
func (m *Model) chart(w, rows int) (string, []string) {
	if m.zoom > 0 {
		return m.zoomChart(w, rows)
	}
	st := m.st
	h := m.usage.Hist
	cw := max(1, w-chartLabel)
	n := min(2*cw, h.Cap()) &^ 1 // two samples per cell
	rem, rpm, thr := h.Series(m.now, n)
	top := 0.0
	if r := m.usage.Rate; r != nil {
		if l, ok := r.BindingLimit(); ok && l.Limit != nil {
			top = float64(*l.Limit)
		}
	}
	out := chartRows(chart.Area(rem, cw, rows, top), top, st)
	// one sparkline cell per two buckets, aligned with the area above
	pairs, marks, peak := chart.Pair(rpm[:n], thr[:n])
	out = append(out, sparkRow(" sent▕", []rune(chart.Sparkline(pairs, cw, 0)), marks, cw-len(pairs), st))
	// one measure per row, each named with its own scale: the area is the
	// requests left on the limit's axis, the bottom row what was sent
	axis := ""
	if top > 0 {
		axis = " (0–" + format.Count(int64(top)) + ")"
	}
	title := "Requests left in the rate window" + axis + " · bottom row: sent/min, peak " + format.Count(int64(math.Round(peak))) +
		" · ✕ 429 · last " + format.Duration(h.BucketSize()*time.Duration(n))
	return title, out
}

func (m *Model) queueTitle(w int) (string, string) {
	pl := m.progress(w)
	if o := m.queue.Owner; o != "" {
		return "Queue of " + o + " · " + pl[0], pl[1]
	}
	return "Queue · " + pl[0], pl[1]
}

func (m *Model) lowerWide(w int, p plan, hs *hits) []string {
	st := m.st
	if m.overlay == addOverlay || m.overlay == openOverlay || m.overlay == pickOverlay {
		return frame.Box("", m.formLines(w-2, p.lower-2), w, p.lower, st.Border, st.Title)
	}
	qw := w - p.side
	title, bar := m.queueTitle(qw - 2)
	tableH := p.lower - p.bottom - 3
	body := append([]string{bar}, m.jobs.View(qw-2, tableH, m.now, st, m.focus == paneJobs)...)
	qTitle := title
	if m.focus == paneJobs {
		qTitle = "▸ " + title
	}
	queue := frame.Box(qTitle, body, qw, p.lower-p.bottom, st.Border, st.Title)
	// the table's heading is under the box's top edge and the progress bar
	const tableAt = 2
	switch {
	case p.side > 0:
		hs.addJobs(paneJobs, 0, 0, qw, len(queue), tableAt, tableH)
		hs.add(m.sidePane(), qw, 0, p.side, p.lower)
		return frame.Row(queue, m.sideBox(p.side, p.lower))
	case p.bottom > 0:
		hs.addJobs(paneJobs, 0, 0, qw, len(queue), tableAt, tableH)
		hs.add(m.sidePane(), 0, len(queue), w, p.bottom)
		return append(queue, m.sideBox(w, p.bottom)...)
	case m.focus == paneDetail || m.focus == paneLog:
		hs.add(m.sidePane(), 0, 0, w, p.lower)
		return m.sideBox(w, p.lower)
	}
	hs.addJobs(paneJobs, 0, 0, qw, len(queue), tableAt, tableH)
	return queue
}

// sideBox is the detail of the selected job, or the log when shown.
func (m *Model) sideBox(w, h int) []string {
	st := m.st
	mark := func(p pane, s string) string {
		if m.focus == p {
			return "▸ " + s
		}
		return s
	}
	if m.showLog {
		return frame.Box(mark(paneLog, "Requests & errors (l closes)"), m.log.View(w-2, h-2, st), w, h, st.Border, st.Title)
	}
	return frame.Box(mark(paneDetail, "Job detail"), m.detailLines(w-2, h-2), w, h, st.Border, st.Title)
}

func (m *Model) lowerCompact(w int, p plan, hs *hits) []string {
	st := m.st
	if m.overlay == addOverlay || m.overlay == openOverlay || m.overlay == pickOverlay {
		return m.formLines(w, p.lower)
	}
	switch {
	case m.focus == paneLog && m.showLog:
		hs.add(paneLog, 0, 0, w, p.lower)
		return append([]string{st.Title.Render("▸ Requests & errors") + st.Dim.Render(" (l closes)")}, m.log.View(w, p.lower-1, st)...)
	case m.focus == paneDetail:
		hs.add(paneDetail, 0, 0, w, p.lower)
		return append([]string{st.Title.Render("▸ Job detail") + st.Dim.Render(" (tab: next pane)")}, m.detailLines(w, p.lower-1)...)
	}
	pl := m.progress(w)
	tableH := p.lower - 2
	out := append([]string{pl[0], pl[1]}, m.jobs.View(w, tableH, m.now, st, true)...)
	hs.addJobs(paneJobs, 0, 0, w, p.lower, len(pl), tableH) // the table's heading is under the progress lines
	return out
}

func (m *Model) formLines(w, h int) []string {
	if m.overlay == pickOverlay {
		return m.pickLines(w, h)
	}
	if m.overlay == addOverlay {
		return m.add.View(w, m.st)
	}
	return m.open.View(w, h, m.st)
}

func (m *Model) footerLine(w int) string {
	st := m.st
	if l := m.modelsWaitLine(w); l != "" && !m.confirmQuit {
		return l // the form (or file) waits on it: say why it is slow
	}
	if m.status != "" && (m.confirmQuit || m.now.Sub(m.statusAt) < statusShown) {
		glyph := m.statusLvl.Glyph()
		if m.statusLvl == styles.Unknown {
			glyph = "·" // a note, not a question: "?" is the help key
		}
		return " " + st.For(m.statusLvl).Render(text.Cut(glyph+" "+m.status, w-2))
	}
	// while a form or the filter has the keyboard, the dashboard's keys
	// would only type letters: show the keys that work there instead
	quit := ""
	if slices.Contains(m.keys.Quit.Keys(), "ctrl+c") { // the one quit key that works inside forms
		quit = " · ctrl+c quit"
	}
	switch {
	case m.overlay == addOverlay:
		return st.Dim.Render(text.Cut(" tab/shift+tab field · ↑/↓ model · enter next/submit · esc close"+quit, w))
	case m.overlay == openOverlay:
		return st.Dim.Render(text.Cut(" enter load · esc close"+quit, w))
	case m.overlay == pickOverlay:
		return st.Dim.Render(text.Cut(" ↑/↓ choose · enter show in the jobs pane · esc close"+quit, w))
	case m.jobs.Filtering():
		return st.Dim.Render(text.Cut(" type to filter · enter keep · esc clear"+quit, w))
	}
	hm := m.help // a copy: View must not change the model
	hm.SetWidth(0)
	return " " + hm.ShortHelpView(m.footer)
}

// statusShown is how long an action's result replaces the key hints.
const statusShown = 8 * time.Second
