package gauges

import (
	"fmt"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/caps"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/styles"
)

// IDCap is a spending cap's gauge (one per cap set in the profile).
const IDCap ID = "cap"

// Caps are the user's own spending caps as gauges, drawn beside the
// server's limits: used of cap in the current period, when it lifts, and
// the time zone its days are cut in.
func Caps(in Input, st styles.Styles) []Gauge {
	out := make([]Gauge, 0, len(in.Caps))
	for _, l := range in.Caps {
		out = append(out, capGauge(l, in.Now, st))
	}
	return out
}

var capTitles = map[caps.Kind]string{
	caps.DailyCredits: "Credit cap/day", caps.MonthlyCredits: "Credit cap/mo",
	caps.DailyJobs: "Job cap/day", caps.BatchCredits: "Batch cap",
}

func capGauge(l caps.Line, now time.Time, st styles.Styles) Gauge {
	g := Gauge{ID: IDCap, Title: capTitles[l.Kind], From: "caps", At: now}
	unit := "credits"
	if l.Kind == caps.DailyJobs {
		unit = "jobs"
	}
	g.Used = min(1, l.Used/l.Cap)
	g.Level = styles.LevelOf(g.Used)
	// Like the server's limits: what is left of the cap (the bar too).
	g.Value = fmt.Sprintf("%s/%s %s left", format.Number(max(l.Cap-l.Used, 0)), format.Number(l.Cap), unit)
	zname := l.Zone
	if strings.EqualFold(zname, "Local") {
		zname = "local"
	}
	lifts := "never lifts by itself"
	if t, err := time.Parse(time.RFC3339, l.Lifts); err == nil {
		at := t.Format("2 Jan 15:04")
		if l.Kind == caps.DailyCredits || l.Kind == caps.DailyJobs {
			at = t.Format("15:04")
		}
		lifts = "lifts " + at + " " + zname + " in " + format.Duration(t.Sub(now))
	}
	zone := "days in " + zname + " time"
	g.Lines = []string{st.Dim.Render(lifts), st.Dim.Render(zone)}
	g.Brief = []string{st.Dim.Render(lifts)}
	g.Short = g.Title + ": " + g.Value
	return g
}
