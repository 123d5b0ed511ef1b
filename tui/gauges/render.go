package gauges

import (
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/frame"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// Bar draws used as a fuel gauge of w cells: filled cells are what is left.
func Bar(used float64, w int, st styles.Styles, lvl styles.Level) string {
	return bar(used, w, st.For(lvl), st.Dim)
}

func bar(used float64, w int, fill, empty styles.Paint) string {
	if w <= 0 {
		return ""
	}
	if used < 0 {
		return empty.Render(strings.Repeat("·", w))
	}
	left := int((1-used)*float64(w) + 0.5)
	left = min(w, max(0, left))
	return fill.Render(strings.Repeat("█", left)) + empty.Render(strings.Repeat("░", w-left))
}

func title(g Gauge, st styles.Styles) string {
	t := g.Title
	if g.Per != "" {
		t += " per " + g.Per // "60 req left" of how long a window
	}
	return t + " " + st.For(g.Level).Render(g.Level.Glyph()+" "+g.Level.Word())
}

// headline is the bar and the value in w cells; a stale reading is
// dimmed, not dropped.
func headline(g Gauge, w int, st styles.Styles) string {
	bw := w - text.Width(g.Value) - 1
	if bw > 24 {
		bw = 24
	}
	return barValue(g, bw, st)
}

// barValue is a bar of exactly bw cells (none when bw < 4 or the gauge
// has no fraction) followed by the value.
func barValue(g Gauge, bw int, st styles.Styles) string {
	val := g.Value
	if g.Stale {
		val = st.Dim.Render(val)
	}
	if g.Used < 0 || bw < 4 {
		return val
	}
	fill := st.For(g.Level)
	if g.Stale {
		fill = st.Dim
	}
	return bar(g.Used, bw, fill, st.Dim) + " " + val
}

// Boxes renders gauges as boxed panels side by side, total width w; the
// bottom edge of each says where its value came from and how old it is.
func Boxes(gs []Gauge, w int, now time.Time, st styles.Styles) []string {
	ws := frame.Split(w, len(gs))
	blocks := make([][]string, len(gs))
	h := 0
	for _, g := range gs {
		h = max(h, len(g.Lines)+1)
	}
	for i, g := range gs {
		lines := append([]string{headline(g, ws[i]-2, st)}, g.linesIn(ws[i]-2)...)
		blocks[i] = frame.BoxFoot(title(g, st), g.Source(now), lines, ws[i], h+2, st.Border, st.Title, st.Dim)
	}
	return frame.Row(blocks...)
}

// label is the width of the gauge names in the stacked layouts.
const label = 15

// Stacked renders each gauge as a labelled line plus, when detail is true,
// its detail lines indented beneath (the gauges-only layout). Sources says
// where the values came from.
func Stacked(gs []Gauge, w int, detail bool, st styles.Styles) []string {
	var out []string
	for _, g := range gs {
		head := text.Fit(g.Title, label) + st.For(g.Level).Render(g.Level.Glyph()) + " "
		if !detail {
			out = append(out, head+compactTail(g, w-label-2, st))
			continue
		}
		out = append(out, head+text.Cut(headline(g, w-label-2, st), w-label-2))
		for _, l := range g.linesIn(w - label - 2) {
			out = append(out, strings.Repeat(" ", label+2)+text.Cut(l, w-label-2))
		}
	}
	return out
}

// compactTail is the bar, the value and as many of the brief notes as fit
// (whole, most important first) in w cells. The bar is the same width on
// every gauge so the stack lines up, and never shorter than 8 cells.
func compactTail(g Gauge, w int, st styles.Styles) string {
	bw := min(16, max(8, (w-40)/2))
	if g.Used < 0 {
		bw = 0
	}
	s := barValue(g, bw, st)
	used := text.Width(s)
	for _, b := range g.Brief {
		if n := text.Width(b) + 3; used+n <= w {
			s += st.Dim.Render(" · ") + b
			used += n
		}
	}
	return text.Cut(s, w)
}

// Sources is one line naming where the stacked gauges' values came from
// and how old they are ("rate, quota: header 2s ago · credits: balance 3s
// ago"), for the stacked layouts whose gauges have no room for it. The
// longest form that fits is used.
func Sources(gs []Gauge, w int, now time.Time, st styles.Styles) string {
	var order []string
	names := map[string][]string{}
	for _, g := range gs {
		if g.From == "" {
			continue
		}
		src := g.From
		if !g.At.IsZero() {
			src += " " + format.Age(now.Sub(g.At)) + " ago"
		}
		if _, ok := names[src]; !ok {
			order = append(order, src)
		}
		names[src] = append(names[src], g.ID.word())
	}
	parts := make([]string, 0, len(order))
	for _, src := range order {
		parts = append(parts, strings.Join(names[src], ", ")+": "+src)
	}
	all := strings.Join(parts, " · ")
	line := " " + all
	for _, c := range []string{strings.Repeat(" ", label+2) + all + " · ~ projection", strings.Repeat(" ", label+2) + all, " " + all + " · ~ projection"} {
		if text.Width(c) <= w {
			line = c
			break
		}
	}
	return st.Dim.Render(text.Cut(line, w))
}
