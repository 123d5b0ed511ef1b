// Package gauges renders the four budget gauges (rate limit, monthly quota,
// credits, running jobs) and the binding-constraint line. Every figure
// comes from usagestate; a projection says so ("~", "at this pace") and a
// value older than two poll intervals is dimmed with its age.
package gauges

import (
	"fmt"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/tui/frame"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
	"github.com/abtop-dev/abtop/tui/usagestate"
)

// Input is everything the gauges show.
type Input struct {
	S            *usagestate.State
	Now          time.Time
	PollInterval time.Duration
	Running      int
	Concurrency  int    // 0 when unknown or unlimited
	ConcFrom     string // where Concurrency came from: "queue", "plan default"
}

// Gauge is one rendered gauge.
type Gauge struct {
	Title string
	Level styles.Level
	Value string   // the headline figure, plain text
	Used  float64  // fraction used in [0,1]; < 0 when unknown (no bar)
	Lines []string // detail lines (styled)
	Short string   // one-line summary for compact layouts (plain)
}

// recentHit is how long a 429/402 keeps a gauge critical.
const recentHit = time.Minute

func (in Input) stale(at time.Time) bool {
	p := in.PollInterval
	if p <= 0 {
		p = 5 * time.Second
	}
	return in.Now.Sub(at) > 2*p
}

func ageNote(in Input, at time.Time) string {
	return "(" + text.Age(in.Now.Sub(at)) + " ago)"
}

func unitWord(u string) string {
	switch u {
	case usage.UnitRequests, "":
		return "req"
	case usage.UnitPoints:
		return "pts"
	default:
		return u
	}
}

// Build computes the four gauges.
func Build(in Input, st styles.Styles) []Gauge {
	return []Gauge{rate(in, st), quota(in, st), credits(in, st), running(in, st)}
}

func rate(in Input, st styles.Styles) Gauge {
	g := Gauge{Title: "Rate limit", Used: -1}
	s := in.S
	own := fmt.Sprintf("abtop itself: %d req/min", s.OwnPerMinute(in.Now))
	if s.Rate == nil {
		g.Value = "no data yet"
		g.Lines = []string{st.Dim.Render("waiting for the first response"), "", st.Dim.Render(own)}
		g.Short = "rate: no data yet"
		return g
	}
	l, _ := s.Rate.BindingLimit()
	u := unitWord(l.Unit)
	if f := l.Fraction(); f >= 0 {
		g.Used = 1 - f
		g.Level = styles.LevelOf(g.Used)
		g.Value = fmt.Sprintf("%s/%s %s left", text.Int(*l.Remaining), text.Int(*l.Limit), u)
	} else if l.Remaining != nil {
		g.Value = fmt.Sprintf("%s %s left", text.Int(*l.Remaining), u)
	} else {
		g.Value = "limit not reported"
	}
	if !s.Last429.IsZero() && in.Now.Sub(s.Last429) < recentHit {
		g.Level = styles.Critical
	}
	reset := "reset not reported"
	if d, ok := usagestate.ResetIn(l.ResetAfter, s.Rate.At, in.Now); ok {
		reset = "resets in " + text.Duration(d) + " (server clock)"
	}
	if s.Embargoed(in.Now) {
		g.Level = styles.Critical
		reset = "Retry-After: no requests for " + text.Duration(s.EmbargoUntil.Sub(in.Now))
	}
	if n := len(s.Rate.Limits); n > 1 {
		own += fmt.Sprintf(" · %d limits", n)
	}
	line1 := reset
	if in.stale(s.Rate.At) {
		line1 = st.Dim.Render(reset + " " + ageNote(in, s.Rate.At))
	}
	g.Lines = []string{line1, st.Dim.Render(own)}
	g.Short = "rate " + g.Value + " · " + reset
	return g
}

func quota(in Input, st styles.Styles) Gauge {
	g := Gauge{Title: "Monthly writes", Used: -1}
	s := in.S
	if s.Quota == nil || s.Quota.Q.Remaining == nil {
		g.Value = "not reported"
		g.Lines = []string{st.Dim.Render("no X-Quota headers seen")}
		g.Short = "quota: not reported"
		return g
	}
	q := s.Quota.Q
	rem := *q.Remaining
	if q.Limit != nil && *q.Limit > 0 {
		g.Used = 1 - float64(rem)/float64(*q.Limit)
		g.Used = min(1, max(0, g.Used))
		g.Level = styles.LevelOf(g.Used)
		g.Value = fmt.Sprintf("%s / %s left", text.Int(rem), text.Int(*q.Limit))
	} else {
		g.Value = text.Int(rem) + " left"
	}
	resetIn, hasReset := usagestate.ResetIn(q.ResetAfter, s.Quota.At, in.Now)
	resetLine := "reset not reported"
	if hasReset {
		resetLine = "resets " + in.Now.Add(resetIn).Format("2 Jan") + " · in " + text.Duration(resetIn)
	}
	fc := s.QuotaForecast()
	pace := st.Dim.Render("~ pace: not enough history yet")
	switch {
	case rem <= 0:
		g.Level = styles.Critical
		pace = st.Critical.Render("✖ exhausted: writes wait for the reset")
	case fc.Consuming && hasReset && fc.EmptyIn < resetIn:
		g.Level = max(g.Level, styles.Warning)
		pace = st.Warning.Render("⚠ at this pace: out in " + text.Duration(fc.EmptyIn))
	case fc.Consuming:
		pace = fmt.Sprintf("~ %s/h · at this pace lasts past the reset", text.Float(fc.PerHour))
	case fc.OK:
		pace = "~ no writes lately"
	}
	if in.stale(s.Quota.At) {
		resetLine = st.Dim.Render(resetLine + " " + ageNote(in, s.Quota.At))
	}
	g.Lines = []string{resetLine, pace}
	g.Short = "quota " + g.Value
	return g
}

func credits(in Input, st styles.Styles) Gauge {
	g := Gauge{Title: "Credits", Used: -1}
	s := in.S
	if s.Credits == nil {
		g.Value = "not reported"
		g.Lines = []string{st.Dim.Render("no balance seen yet")}
		g.Short = "credits: not reported"
		return g
	}
	c := s.Credits
	g.Value = text.Float(c.Value) + " left"
	g.Level = styles.Calm
	fc := s.CreditsForecast()
	spend := st.Dim.Render("~ spend: not enough history yet")
	switch {
	case fc.Consuming:
		spend = fmt.Sprintf("~ −%s/h · empty in %s", text.Float(fc.PerHour), text.Duration(fc.EmptyIn))
		switch {
		case fc.EmptyIn < time.Hour:
			g.Level = styles.Critical
		case fc.EmptyIn < 24*time.Hour:
			g.Level = styles.Warning
		}
	case fc.OK:
		spend = "~ no spend lately"
	}
	if c.Value <= 0 {
		g.Level = styles.Critical
	}
	if !s.Last402.IsZero() && in.Now.Sub(s.Last402) < recentHit {
		g.Level = styles.Critical
		spend = st.Critical.Render("✖ 402: not enough credits for the next job")
	}
	from := "from " + c.From + " " + ageNote(in, c.At)
	if in.stale(c.At) {
		from = st.Dim.Render(from)
	} else {
		from = st.Dim.Render("from " + c.From)
	}
	g.Lines = []string{spend, from}
	g.Short = "credits " + g.Value
	return g
}

func running(in Input, st styles.Styles) Gauge {
	g := Gauge{Title: "Running jobs", Used: -1}
	if in.Concurrency > 0 {
		g.Used = min(1, float64(in.Running)/float64(in.Concurrency))
		g.Level = styles.LevelOf(g.Used)
		g.Value = fmt.Sprintf("%d/%d running", in.Running, in.Concurrency)
		g.Lines = []string{st.Dim.Render("concurrency limit (" + in.ConcFrom + ")")}
	} else {
		g.Value = fmt.Sprintf("%d running", in.Running)
		g.Level = styles.Calm
		g.Lines = []string{st.Dim.Render("no concurrency limit known")}
	}
	g.Short = g.Value
	return g
}

// Bar draws used as a fuel gauge of w cells: filled cells are what is left.
func Bar(used float64, w int, st styles.Styles, lvl styles.Level) string {
	if w <= 0 {
		return ""
	}
	if used < 0 {
		return st.Dim.Render(strings.Repeat("·", w))
	}
	left := int((1-used)*float64(w) + 0.5)
	left = min(w, max(0, left))
	return st.For(lvl).Render(strings.Repeat("█", left)) + st.Dim.Render(strings.Repeat("░", w-left))
}

func title(g Gauge, st styles.Styles) string {
	return g.Title + " " + st.For(g.Level).Render(g.Level.Glyph()+" "+g.Level.Word())
}

func headline(g Gauge, w int, st styles.Styles) string {
	if g.Used < 0 {
		return g.Value
	}
	bw := w - text.Width(g.Value) - 1
	if bw > 24 {
		bw = 24
	}
	if bw < 4 {
		return g.Value
	}
	return Bar(g.Used, bw, st, g.Level) + " " + g.Value
}

// Boxes renders gauges as boxed panels side by side, total width w.
func Boxes(gs []Gauge, w int, st styles.Styles) []string {
	ws := frame.Split(w, len(gs))
	blocks := make([][]string, len(gs))
	h := 0
	for _, g := range gs {
		h = max(h, len(g.Lines)+1)
	}
	for i, g := range gs {
		lines := append([]string{headline(g, ws[i]-2, st)}, g.Lines...)
		blocks[i] = frame.Box(title(g, st), lines, ws[i], h+2, st.Border, st.Title)
	}
	return frame.Row(blocks...)
}

// Stacked renders each gauge as a labelled one-line bar plus, when detail
// is true, its detail lines indented beneath.
func Stacked(gs []Gauge, w int, detail bool, st styles.Styles) []string {
	var out []string
	const label = 15
	for _, g := range gs {
		head := text.Fit(g.Title, label) + st.For(g.Level).Render(g.Level.Glyph()) + " "
		out = append(out, head+text.Cut(headline(g, w-label-2, st), w-label-2))
		if detail {
			for _, l := range g.Lines {
				out = append(out, strings.Repeat(" ", label+2)+text.Cut(l, w-label-2))
			}
		}
	}
	return out
}

// Binding says which budget runs out first and when.
func Binding(in Input, st styles.Styles, w int) string {
	s := in.S
	type cand struct {
		lvl  styles.Level
		what string
		in   time.Duration
	}
	var best *cand
	consider := func(c cand) {
		if best == nil || c.in < best.in {
			best = &c
		}
	}
	if s.Embargoed(in.Now) {
		d := s.EmbargoUntil.Sub(in.Now)
		consider(cand{styles.Critical, "Retry-After embargo: requests resume in " + text.Duration(d), 0})
	}
	if s.Rate != nil {
		if l, ok := s.Rate.BindingLimit(); ok && l.Remaining != nil && *l.Remaining <= 0 {
			d, _ := usagestate.ResetIn(l.ResetAfter, s.Rate.At, in.Now)
			consider(cand{styles.Critical, "rate window used up: next slot in " + text.Duration(d), d})
		}
	}
	if s.Quota != nil && s.Quota.Q.Remaining != nil {
		resetIn, hasReset := usagestate.ResetIn(s.Quota.Q.ResetAfter, s.Quota.At, in.Now)
		if *s.Quota.Q.Remaining <= 0 {
			consider(cand{styles.Critical, "monthly writes exhausted until the reset in " + text.Duration(resetIn), resetIn})
		} else if fc := s.QuotaForecast(); fc.Consuming && (!hasReset || fc.EmptyIn < resetIn) {
			consider(cand{styles.Warning, "monthly writes run out first — " + text.Duration(fc.EmptyIn) + " at this pace, before the reset", fc.EmptyIn})
		}
	}
	if s.Credits != nil {
		if s.Credits.Value <= 0 || (!s.Last402.IsZero() && in.Now.Sub(s.Last402) < recentHit) {
			consider(cand{styles.Critical, "credits: not enough for the next job — add credits to continue", 0})
		} else if fc := s.CreditsForecast(); fc.Consuming {
			lvl := styles.Calm
			if fc.EmptyIn < 24*time.Hour {
				lvl = styles.Warning
			}
			consider(cand{lvl, "credits run out first — ~" + text.Duration(fc.EmptyIn) + " at this pace", fc.EmptyIn})
		}
	}
	if in.Concurrency > 0 && in.Running >= in.Concurrency {
		consider(cand{styles.Warning, fmt.Sprintf("concurrency %d/%d: new jobs wait for one to finish", in.Running, in.Concurrency), time.Minute})
	}
	right := fmt.Sprintf("running %d", in.Running)
	if in.Concurrency > 0 {
		right = fmt.Sprintf("running %d/%d", in.Running, in.Concurrency)
	}
	var left string
	switch {
	case best != nil:
		left = st.For(best.lvl).Render(best.lvl.Glyph()) + " binding: " + best.what
	case s.Rate == nil && s.Quota == nil && s.Credits == nil:
		left = st.Unknown.Render(styles.Unknown.Glyph()) + " binding: no usage data yet"
	default:
		// nothing runs out: the rate window is what paces us now
		lvl, msg := styles.Calm, "nothing runs out at this pace"
		if s.Rate != nil {
			if l, ok := s.Rate.BindingLimit(); ok && l.Remaining != nil {
				g := rate(in, st)
				lvl = max(g.Level, styles.Calm)
				msg = "the rate limit paces jobs (" + text.Int(*l.Remaining) + " " + unitWord(l.Unit) + " left"
				if d, ok := usagestate.ResetIn(l.ResetAfter, s.Rate.At, in.Now); ok {
					msg += ", resets in " + text.Duration(d)
				}
				msg += "); nothing runs out at this pace"
			}
		}
		left = st.For(lvl).Render(lvl.Glyph()) + " binding: " + msg
	}
	return text.Spread(" "+left, right+" ", w)
}
