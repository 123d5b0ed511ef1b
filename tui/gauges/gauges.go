// Package gauges renders the four budget gauges (rate limit, monthly quota,
// credits, running jobs) and the binding-constraint line. Every figure
// comes from usagestate; a projection says so ("~", "at this pace") and a
// value older than two poll intervals is dimmed with its age.
package gauges

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/internal/format"
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
	// Brief is what the compact layout adds after the value, most
	// important first (styled): a countdown, a forecast, a 429.
	Brief []string
	// From says where the value came from and how old it is ("header",
	// "balance", "queue"…); At is when (zero: not a reading, e.g. a plan
	// default). Stale is true when At is older than two poll intervals.
	From  string
	At    time.Time
	Stale bool
	// Per is the window the value counts over ("1m", "10s") when the
	// server stated it; "" otherwise.
	Per string
}

// Source is the gauge's origin as shown under it: "from header · 2s ago".
func (g Gauge) Source(now time.Time) string {
	if g.From == "" {
		return ""
	}
	if g.At.IsZero() {
		return "from " + g.From
	}
	return "from " + g.From + " · " + format.Age(now.Sub(g.At)) + " ago"
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
	g.From, g.At, g.Stale = "header", s.Rate.At, in.stale(s.Rate.At)
	if l.Window != nil && *l.Window > 0 {
		g.Per = format.Age(*l.Window)
	}
	u := unitWord(l.Unit)
	if f := l.Fraction(); f >= 0 {
		g.Used = 1 - f
		g.Level = styles.LevelOf(g.Used)
		g.Value = fmt.Sprintf("%s/%s %s left", format.Count(*l.Remaining), format.Count(*l.Limit), u)
	} else if l.Remaining != nil {
		g.Value = fmt.Sprintf("%s %s left", format.Count(*l.Remaining), u)
	} else {
		g.Value = "limit not reported"
	}
	reset, brief := "reset not reported", "reset not reported"
	if d, ok := usagestate.ResetIn(l.ResetAfter, s.Rate.At, in.Now); ok {
		reset = "resets in " + format.Duration(d) + " (server clock)"
		brief = "resets in " + format.Duration(d)
		if d <= 0 {
			// the window this reading describes is over: the budget has
			// refilled since, by how much only the next response says
			reset, brief = "reset passed: value predates it", "reset passed"
			g.Stale = true
		}
	}
	if n := len(s.Rate.Limits); n > 1 {
		own += fmt.Sprintf(" · %d limits", n)
	}
	line2 := st.Dim.Render(own)
	if !s.Last429.IsZero() && in.Now.Sub(s.Last429) < recentHit {
		// critical while the bar may look fine: say why, in place of the
		// monitor's own cost (back when the 429 is a minute old)
		g.Level = styles.Critical
		hit := "✖ 429 " + format.Age(in.Now.Sub(s.Last429)) + " ago"
		line2 = st.Critical.Render(hit) + st.Dim.Render(" · abtop: "+strconv.Itoa(s.OwnPerMinute(in.Now))+" req/min")
		g.Brief = append(g.Brief, st.Critical.Render(hit))
	}
	if s.Embargoed(in.Now) {
		g.Level = styles.Critical
		reset = "Retry-After: no requests for " + format.Duration(s.EmbargoUntil.Sub(in.Now))
		brief = st.Critical.Render("Retry-After " + format.Duration(s.EmbargoUntil.Sub(in.Now)))
	}
	if g.Stale {
		reset, brief = st.Dim.Render(reset), st.Dim.Render(brief)
	}
	g.Brief = append([]string{brief}, g.Brief...)
	g.Lines = []string{reset, line2}
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
	g.From, g.At, g.Stale = "header", s.Quota.At, in.stale(s.Quota.At)
	rem := *q.Remaining
	if q.Limit != nil && *q.Limit > 0 {
		g.Used = 1 - float64(rem)/float64(*q.Limit)
		g.Used = min(1, max(0, g.Used))
		g.Level = styles.LevelOf(g.Used)
		g.Value = fmt.Sprintf("%s/%s left", format.Count(rem), format.Count(*q.Limit))
	} else {
		g.Value = format.Count(rem) + " left"
	}
	resetIn, hasReset := usagestate.ResetIn(q.ResetAfter, s.Quota.At, in.Now)
	resetLine, brief := "reset not reported", "reset not reported"
	if hasReset {
		resetLine = "resets " + in.Now.Add(resetIn).Format("2 Jan") + " · in " + format.Duration(resetIn)
		brief = "resets " + in.Now.Add(resetIn).Format("2 Jan")
	}
	fc := s.QuotaForecast()
	pace := st.Dim.Render("~ pace: not enough history yet")
	g.Brief = []string{brief}
	switch {
	case rem <= 0:
		g.Level = styles.Critical
		pace = st.Critical.Render("✖ exhausted: writes wait for the reset")
		g.Brief = []string{st.Critical.Render("✖ exhausted"), brief}
	case fc.Consuming && hasReset && fc.EmptyIn < resetIn:
		g.Level = max(g.Level, styles.Warning)
		pace = st.Warning.Render("⚠ at this pace: out in " + format.Duration(fc.EmptyIn))
		g.Brief = []string{st.Warning.Render("⚠ out ~" + format.Duration(fc.EmptyIn)), brief}
	case fc.Consuming:
		pace = fmt.Sprintf("~ %s/h · at this pace lasts past the reset", format.Number(fc.PerHour))
	case fc.OK:
		pace = "~ no writes lately"
	}
	if g.Stale {
		resetLine = st.Dim.Render(resetLine)
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
	g.From, g.At, g.Stale = c.From, c.At, in.stale(c.At)
	g.Value = format.Number(c.Value) + " left"
	g.Level = styles.Calm
	fc := s.CreditsForecast()
	spend := st.Dim.Render("~ spend: not enough history yet")
	switch {
	case fc.Consuming:
		spend = fmt.Sprintf("~ −%s/h · empty in %s", format.Number(fc.PerHour), format.Duration(fc.EmptyIn))
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
	brief := spend
	if fc.Consuming {
		brief = "~ empty in " + format.Duration(fc.EmptyIn)
	}
	if !s.Last402.IsZero() && in.Now.Sub(s.Last402) < recentHit {
		g.Level = styles.Critical
		spend = st.Critical.Render("✖ 402: not enough credits for the next job")
		brief = st.Critical.Render("✖ 402 " + format.Age(in.Now.Sub(s.Last402)) + " ago")
	}
	g.Brief = []string{brief}
	g.Lines = []string{spend}
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
		lines := append([]string{headline(g, ws[i]-2, st)}, g.Lines...)
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
		for _, l := range g.Lines {
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
		names[src] = append(names[src], shortName(g.Title))
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

func shortName(title string) string {
	switch title {
	case "Rate limit":
		return "rate"
	case "Monthly writes":
		return "quota"
	case "Credits":
		return "credits"
	}
	return strings.ToLower(title)
}

// Binding says which budget runs out first and when, in one line of w
// cells. Each message comes in a long and shorter wordings; the longest
// that fits is used, so a narrow terminal gets a whole short sentence
// instead of a long one cut in the middle. withRunning adds the running
// count on the right (for layouts that have no running-jobs gauge).
func Binding(in Input, st styles.Styles, w int, withRunning bool) string {
	s := in.S
	type cand struct {
		lvl  styles.Level
		what []string // wordings, longest first
		in   time.Duration
	}
	var best *cand
	consider := func(c cand) {
		if best == nil || c.in < best.in {
			best = &c
		}
	}
	if s.Embargoed(in.Now) {
		d := format.Duration(s.EmbargoUntil.Sub(in.Now))
		consider(cand{styles.Critical, []string{"binding: Retry-After embargo — requests resume in " + d, "Retry-After: requests resume in " + d, "Retry-After " + d}, 0})
	}
	if s.Rate != nil {
		if l, ok := s.Rate.BindingLimit(); ok && l.Remaining != nil && *l.Remaining <= 0 {
			d, _ := usagestate.ResetIn(l.ResetAfter, s.Rate.At, in.Now)
			ds := format.Duration(d)
			consider(cand{styles.Critical, []string{"binding: rate window used up: next slot in " + ds, "rate window used up: next slot in " + ds, "rate: next slot in " + ds}, d})
		}
	}
	if s.Quota != nil && s.Quota.Q.Remaining != nil {
		resetIn, hasReset := usagestate.ResetIn(s.Quota.Q.ResetAfter, s.Quota.At, in.Now)
		if *s.Quota.Q.Remaining <= 0 {
			r := format.Duration(resetIn)
			consider(cand{styles.Critical, []string{"binding: monthly writes exhausted until the reset in " + r, "monthly writes exhausted · reset in " + r, "writes exhausted · reset " + r}, resetIn})
		} else if fc := s.QuotaForecast(); fc.Consuming && (!hasReset || fc.EmptyIn < resetIn) {
			e := format.Duration(fc.EmptyIn)
			consider(cand{styles.Warning, []string{"binding: monthly writes run out first — ~" + e + " at this pace, before the reset", "binding: monthly writes out in ~" + e + ", before the reset", "writes out in ~" + e + " (pace)"}, fc.EmptyIn})
		}
	}
	if s.Credits != nil {
		if s.Credits.Value <= 0 || (!s.Last402.IsZero() && in.Now.Sub(s.Last402) < recentHit) {
			consider(cand{styles.Critical, []string{"binding: credits — not enough for the next job; add credits to continue", "credits: not enough for the next job", "out of credits"}, 0})
		} else if fc := s.CreditsForecast(); fc.Consuming {
			lvl := styles.Calm
			if fc.EmptyIn < 24*time.Hour {
				lvl = styles.Warning
			}
			e := format.Duration(fc.EmptyIn)
			consider(cand{lvl, []string{"binding: credits run out first — ~" + e + " at this pace", "binding: credits out in ~" + e + " at this pace", "credits out in ~" + e + " (pace)"}, fc.EmptyIn})
		}
	}
	if in.Concurrency > 0 && in.Running >= in.Concurrency {
		c := fmt.Sprintf("%d/%d", in.Running, in.Concurrency)
		consider(cand{styles.Warning, []string{"binding: concurrency " + c + ": new jobs wait for one to finish", "concurrency " + c + ": new jobs wait", "concurrency " + c}, time.Minute})
	}
	right := ""
	if withRunning {
		right = fmt.Sprintf("running %d", in.Running)
		if in.Concurrency > 0 {
			right = fmt.Sprintf("running %d/%d", in.Running, in.Concurrency)
		}
	}
	var c cand
	switch {
	case best != nil:
		c = *best
	case s.Rate == nil && s.Quota == nil && s.Credits == nil:
		c = cand{styles.Unknown, []string{"binding: no usage data yet", "no usage data yet"}, 0}
	default:
		// nothing runs out: the rate window is what paces jobs now
		c = cand{styles.Calm, []string{"binding: nothing runs out at this pace", "nothing runs out at this pace"}, 0}
		if s.Rate != nil {
			if l, ok := s.Rate.BindingLimit(); ok && l.Remaining != nil {
				// the level of the numbers on this line; a recent 429 is
				// explained on the rate gauge, not implied here
				c.lvl = styles.Calm
				if f := l.Fraction(); f >= 0 {
					c.lvl = styles.LevelOf(1 - f)
				}
				left := format.Count(*l.Remaining)
				if l.Limit != nil {
					left += "/" + format.Count(*l.Limit)
				}
				left += " " + unitWord(l.Unit) + " left"
				reset := ""
				if d, ok := usagestate.ResetIn(l.ResetAfter, s.Rate.At, in.Now); ok && d > 0 {
					reset = ", resets in " + format.Duration(d)
				} else if ok {
					reset = ", window since reset"
				}
				c.what = []string{
					"binding: the rate window paces jobs (" + left + reset + "); nothing runs out at this pace",
					"binding: the rate window (" + left + reset + "); nothing runs out",
					"binding: rate window, " + left + reset,
					"rate window: " + left + reset,
					"rate: " + left,
				}
			}
		}
	}
	glyph := st.For(c.lvl).Render(c.lvl.Glyph()) + " "
	room := w - 3 // " ● " before the message
	if right != "" {
		room -= text.Width(right) + 2 // the gap and the trailing space
	}
	msg := c.what[len(c.what)-1]
	for _, m := range c.what {
		if text.Width(m) <= room {
			msg = m
			break
		}
	}
	if right == "" {
		return text.Fit(" "+glyph+msg, w)
	}
	return text.Spread(" "+glyph+msg, right+" ", w)
}
