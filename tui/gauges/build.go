package gauges

import (
	"fmt"
	"strconv"
	"time"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/usagestate"
)

// Build computes the four gauges.
func Build(in Input, st styles.Styles) []Gauge {
	return []Gauge{rate(in, st), quota(in, st), credits(in, st), running(in, st)}
}

func rate(in Input, st styles.Styles) Gauge {
	g := Gauge{ID: IDRate, Title: "Rate limit", Used: -1}
	s := in.S
	// whose requests: the dashboard's polls, not a batch sent beside it
	own := fmt.Sprintf("dashboard polls: %d req/min", s.OwnPerMinute(in.Now))
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
			reset, brief = "the window has reset since this reading", "window reset since"
			g.Stale = true
		}
	}
	if n := len(s.Rate.Limits); n > 1 {
		own += fmt.Sprintf(" · %d limits", n)
	}
	line2 := st.Dim.Render(own)
	if !s.Last429.IsZero() && in.Now.Sub(s.Last429) < usagestate.RecentHit {
		// critical while the bar may look fine: say why, in place of the
		// monitor's own cost (back when the 429 is a minute old)
		g.Level = styles.Critical
		hit := "✖ 429 " + format.Age(in.Now.Sub(s.Last429)) + " ago"
		line2 = st.Critical.Render(hit) + st.Dim.Render(" · polls: "+strconv.Itoa(s.OwnPerMinute(in.Now))+" req/min")
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
	g := Gauge{ID: IDQuota, Title: "Monthly writes", Used: -1}
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
	if o := outlook(in.Forecast, quotaOf); o != nil && rem > 0 {
		// the history's pace, with its basis, in place of the session's;
		// a warning from either stands (the history counts only what
		// abtop sent, the session sees every drop of the quota)
		lvl := styles.Calm
		if o.BeforeReset || (!o.RunsOut.IsZero() && !o.RunsOut.After(in.Now)) {
			lvl = styles.Warning
		}
		g.Level = max(g.Level, lvl)
		lines, b := forecastLines(o, lvl, st)
		g.setLines(append([][]string{{resetLine}}, lines...))
		g.Brief = []string{b[0], brief}
	}
	g.Short = "quota " + g.Value
	return g
}

func credits(in Input, st styles.Styles) Gauge {
	g := Gauge{ID: IDCredits, Title: "Credits", Used: -1}
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
	brief := spend
	if fc.Consuming {
		brief = "~ empty in " + format.Duration(fc.EmptyIn)
	}
	g.Lines = []string{spend}
	g.Brief = []string{brief}
	if o := outlook(in.Forecast, creditsOf); o != nil {
		// the history's pace, with its basis, in place of the session's;
		// a warning from either stands (the history counts only what
		// abtop spent, the balance drops for everyone's jobs)
		lvl := creditsLevel(o, in.Now)
		g.Level = max(g.Level, lvl)
		lines, b := forecastLines(o, lvl, st)
		g.setLines(lines)
		g.Brief = b
	}
	if c.Value <= 0 {
		g.Level = styles.Critical
	}
	if !s.Last402.IsZero() && in.Now.Sub(s.Last402) < usagestate.RecentHit {
		g.Level = styles.Critical
		g.Lines, g.Shorter = []string{st.Critical.Render("✖ 402: not enough credits for the next job")}, nil
		g.Brief = []string{st.Critical.Render("✖ 402 " + format.Age(in.Now.Sub(s.Last402)) + " ago")}
	}
	g.Short = "credits " + g.Value
	return g
}

func running(in Input, st styles.Styles) Gauge {
	g := Gauge{ID: IDRunning, Title: "Running jobs", Used: -1}
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
