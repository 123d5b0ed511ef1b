package gauges

import (
	"time"

	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// The history store's forecast in the credits and quota gauges: each
// gauge shows its own limit's outlook and the pace it stands on, in the
// forecast's words (estimate, the one home of that wording), the longest
// wording that fits the gauge's width. Without enough history the gauges
// keep the session's own pace (build.go).

// outlook is f's outlook of one limit when it has something to say.
func outlook(f *estimate.Forecast, of func(*estimate.Forecast) *estimate.Outlook) *estimate.Outlook {
	if f == nil || !f.Enough {
		return nil
	}
	if o := of(f); o != nil && len(o.Words) > 0 && len(o.PaceWords) > 0 {
		return o
	}
	return nil
}

func creditsOf(f *estimate.Forecast) *estimate.Outlook { return f.Credits }
func quotaOf(f *estimate.Forecast) *estimate.Outlook   { return f.Quota }

// creditsLevel is how soon the balance runs out at the forecast's pace,
// with the thresholds of the session's own pace.
func creditsLevel(o *estimate.Outlook, now time.Time) styles.Level {
	if o.RunsOut.IsZero() {
		return styles.Calm
	}
	switch left := o.RunsOut.Sub(now); {
	case left < time.Hour:
		return styles.Critical
	case left < 24*time.Hour:
		return styles.Warning
	}
	return styles.Calm
}

// forecastLines are the outlook's line (marked "~" as a projection, or
// with the level's glyph when it warns) and the dim line of its pace, each
// with its shorter wordings; brief is the shortest outlook and pace for
// the compact layout. Numbers and dates only: nothing here comes from the
// server as text, but it is cleaned like anything that reaches a terminal.
func forecastLines(o *estimate.Outlook, lvl styles.Level, st styles.Styles) (lines [][]string, brief []string) {
	mark, paint := "~ ", func(s string) string { return s }
	if lvl >= styles.Warning {
		mark, paint = lvl.Glyph()+" ", func(s string) string { return st.For(lvl).Render(s) }
	}
	words := make([]string, len(o.Words))
	for i, w := range o.Words {
		words[i] = paint(mark + text.Clean(w))
	}
	pace := make([]string, len(o.PaceWords))
	for i, w := range o.PaceWords {
		pace[i] = st.Dim.Render(text.Clean(w))
	}
	return [][]string{words, pace}, []string{words[len(words)-1], pace[len(pace)-1]}
}

// setLines sets g's detail lines, each the longest of its wordings, the
// shorter ones kept for a narrower view (see Gauge.Shorter).
func (g *Gauge) setLines(lines [][]string) {
	g.Lines, g.Shorter = make([]string, len(lines)), nil
	for i, ws := range lines {
		g.Lines[i] = ws[0]
		if len(ws) > 1 {
			if g.Shorter == nil {
				g.Shorter = map[int][]string{}
			}
			g.Shorter[i] = ws[1:]
		}
	}
}

// linesIn are g's detail lines for w cells: each the longest of its
// wordings that fits, else its shortest, cut.
func (g Gauge) linesIn(w int) []string {
	if g.Shorter == nil {
		return g.Lines
	}
	out := make([]string, len(g.Lines))
	for i, l := range g.Lines {
		alts := g.Shorter[i]
		for j := 0; text.Width(l) > w && j < len(alts); j++ {
			l = alts[j]
		}
		out[i] = text.Cut(l, w)
	}
	return out
}
