package estimate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/text"
)

// WriteText renders the estimate for a person: the models, each limit's
// verdict, the expected duration and its basis, and what runs out first.
// Model names come from the server and are cleaned before they are drawn.
func (e Estimate) WriteText(w io.Writer, l Limits) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Dry run: %s jobs · %s · %s writes (nothing sent)\n\n", format.Count(int64(e.Jobs)), format.Credits(e.Credits), format.Count(e.Writes))
	rows := [][]string{{"MODEL", "KIND", "JOBS", "PRICE", "CREDITS"}}
	for _, m := range e.Models {
		rows = append(rows, []string{text.Clean(m.Model), text.Clean(m.Kind), format.Count(int64(m.Jobs)), format.Number(m.Price), format.Number(m.Credits)})
	}
	rows = append(rows, []string{"total", "", format.Count(int64(e.Jobs)), "", format.Number(e.Credits)})
	widths := make([]int, 5)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], min(text.Width(c), 32))
		}
	}
	for _, r := range rows {
		line := text.Fit(r[0], widths[0]) + "  " + text.Fit(r[1], widths[1])
		for i := 2; i < 5; i++ {
			line += "  " + text.FitRight(r[i], widths[i])
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	b.WriteString("\n")
	for _, c := range e.Checks {
		fmt.Fprintf(&b, "%-8s %s\n", label(c.What), verdict(c))
	}
	fmt.Fprintf(&b, "%-8s %s\n", "Time", timeBasis(e, l))
	if e.First != nil {
		fmt.Fprintf(&b, "\nFirst to run out: %s, after %s jobs (line %d)", strings.ToLower(label(e.First.What)), format.Count(int64(e.First.AfterJobs)), e.First.AtLine)
		if e.RateKnown {
			fmt.Fprintf(&b, ", ~%s into the run", format.Duration(e.First.At))
		}
		b.WriteString("\n")
	} else {
		b.WriteString("\nNothing known runs out.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func label(w What) string {
	switch w {
	case WhatCredits:
		return "Credits"
	case WhatQuota:
		return "Quota"
	}
	return "Daily"
}

func verdict(c Check) string {
	if !c.Known {
		switch c.What {
		case WhatCredits:
			return "balance not known"
		case WhatQuota:
			return "no monthly quota reported"
		}
		return "no daily limit reported"
	}
	var s string
	if c.What == WhatCredits {
		s = fmt.Sprintf("need %s · have %s", format.Number(c.Need), format.Number(c.Have))
	} else {
		when := "this month"
		if c.What == WhatDaily {
			when = "today"
		}
		s = fmt.Sprintf("need %s writes · %s left %s", format.Count(int64(c.Need)), format.Count(int64(c.Have)), when)
	}
	if c.OK {
		return s + "  ✓"
	}
	s += fmt.Sprintf("  ✗ runs out after %s jobs (line %d)", format.Count(int64(c.AfterJobs)), c.AtLine)
	switch {
	case c.What == WhatCredits:
		return s + "; top up to continue"
	case c.Lifts > 0:
		return s + "; lifts in " + format.Duration(c.Lifts)
	}
	return s
}

func timeBasis(e Estimate, l Limits) string {
	if !e.RateKnown {
		return "unknown: no rate limit observed yet"
	}
	window := l.Window
	if window <= 0 {
		window = time.Minute
	}
	per := "/min"
	if window != time.Minute {
		per = " per " + format.Duration(window)
	}
	s := fmt.Sprintf("~%s to send all at %s writes%s", format.Duration(e.Duration), format.Number(e.WritesPerWindow), per)
	var why []string
	why = append(why, fmt.Sprintf("limit %s%s", format.Count(l.RateLimit), per))
	if l.WriteCost > 1 {
		why = append(why, fmt.Sprintf("%d points a write", l.WriteCost))
	}
	if l.OthersShare > 0 {
		why = append(why, fmt.Sprintf("%.0f%% taken by others", min(l.OthersShare, 0.99)*100))
	}
	s += " (" + strings.Join(why, ", ") + ")"
	switch {
	case e.ByRunTime > 0:
		s += fmt.Sprintf("\n         running takes ~%s on %d concurrent slots", format.Duration(e.ByRunTime), l.Concurrency)
	case l.Concurrency > 0:
		s += "\n         concurrency not considered: no run times known yet"
	}
	return s
}

// JSON field names are a stable interface for scripts (submit --dry-run
// --json); durations are in seconds.
type jsonCheck struct {
	What         What    `json:"what"`
	Known        bool    `json:"known"`
	Need         float64 `json:"need"`
	Have         float64 `json:"have"`
	OK           bool    `json:"ok"`
	AfterJobs    *int    `json:"after_jobs,omitempty"`
	AtLine       *int    `json:"at_line,omitempty"`
	LiftsSeconds float64 `json:"lifts_in_seconds,omitempty"`
	AtSeconds    float64 `json:"at_seconds,omitempty"` // into the run, on runs_out_first
}

type jsonModel struct {
	Model   string  `json:"model"`
	Kind    string  `json:"kind"`
	Price   float64 `json:"price"`
	Jobs    int     `json:"jobs"`
	Credits float64 `json:"credits"`
}

func toJSONCheck(c Check) jsonCheck {
	j := jsonCheck{What: c.What, Known: c.Known, Need: c.Need, Have: c.Have, OK: c.OK, LiftsSeconds: c.Lifts.Seconds(), AtSeconds: c.At.Seconds()}
	if c.Known && !c.OK {
		j.AfterJobs, j.AtLine = &c.AfterJobs, &c.AtLine
	}
	return j
}

// WriteJSON renders the estimate for scripts.
func (e Estimate) WriteJSON(w io.Writer) error {
	out := struct {
		Jobs            int         `json:"jobs"`
		Credits         float64     `json:"credits"`
		Writes          int64       `json:"writes"`
		Models          []jsonModel `json:"models"`
		Checks          []jsonCheck `json:"checks"`
		First           *jsonCheck  `json:"runs_out_first"`
		RateKnown       bool        `json:"rate_known"`
		DurationSeconds float64     `json:"duration_seconds"`
		ByRateSeconds   float64     `json:"by_rate_seconds"`
		ByRunSeconds    float64     `json:"by_concurrency_seconds"`
		WritesPerWindow float64     `json:"writes_per_window"`
	}{Jobs: e.Jobs, Credits: e.Credits, Writes: e.Writes, Models: []jsonModel{}, Checks: []jsonCheck{},
		RateKnown: e.RateKnown, DurationSeconds: e.Duration.Seconds(), ByRateSeconds: e.ByRate.Seconds(),
		ByRunSeconds: e.ByRunTime.Seconds(), WritesPerWindow: e.WritesPerWindow}
	for _, m := range e.Models {
		out.Models = append(out.Models, jsonModel(m))
	}
	for _, c := range e.Checks {
		out.Checks = append(out.Checks, toJSONCheck(c))
	}
	if e.First != nil {
		f := toJSONCheck(*e.First)
		out.First = &f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
