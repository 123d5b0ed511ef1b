package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/history"
	"github.com/abtop-dev/abtop/tui/text"
)

// Forecast is one profile and org's outlook at its recent pace (see
// estimate.ForecastAt): independent of the report's range, it always looks
// back from now.
type Forecast struct {
	Profile, Org string
	estimate.Forecast
}

// ForecastSource is what forecasts read (history.Store).
type ForecastSource interface {
	Source
	ListSeries() ([]history.Series, error)
	Bounds(se history.Series) (first, last history.Point, ok bool, err error)
}

// LoadForecasts forecasts at pace (estimate.WeekPace for a report) the
// balance and the monthly quota of every profile and org whose balance or
// quota was observed, in series order. Observation began with the oldest
// point of any of its series.
func LoadForecasts(src ForecastSource, pace estimate.Pace, now time.Time, zone *time.Location) ([]Forecast, error) {
	series, err := src.ListSeries()
	if err != nil {
		return nil, err
	}
	type who struct{ profile, org string }
	type seen struct {
		since          time.Time
		credits, quota *estimate.Level
	}
	var order []who
	by := map[who]*seen{}
	for _, se := range series {
		first, last, ok, err := src.Bounds(se)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		w := who{se.Profile, se.Org}
		s := by[w]
		if s == nil {
			s = &seen{since: first.At}
			by[w] = s
			order = append(order, w)
		}
		if first.At.Before(s.since) {
			s.since = first.At
		}
		l := &estimate.Level{Remaining: last.Remaining, Limit: last.Limit, Seen: last.At, Reset: last.Reset}
		switch se.Name {
		case history.NameCredits:
			l.Reset = time.Time{} // a balance does not reset
			s.credits = l
		case history.NameQuota:
			s.quota = l
		}
	}
	rows, err := src.Rows(now.Add(-time.Duration(pace.Max)*pace.Unit), now)
	if err != nil {
		return nil, err
	}
	spends := map[who][]estimate.Spend{}
	for _, r := range rows {
		w := who{r.Profile, r.Org}
		spends[w] = append(spends[w], estimate.Spend{At: r.At, Credits: r.Credits(), Writes: r.Writes})
	}
	var out []Forecast
	for _, w := range order {
		s := by[w]
		if s.credits == nil && s.quota == nil {
			continue // only rate limits seen: nothing that runs out for good
		}
		out = append(out, Forecast{Profile: w.profile, Org: w.org,
			Forecast: estimate.ForecastAt(pace, spends[w], s.since, s.credits, s.quota, now, zone)})
	}
	return out, nil
}

// writeForecasts appends one line per forecast to a table. Profile and org
// names are cleaned of control characters.
func (r Report) writeForecasts(b *strings.Builder) {
	if len(r.Forecasts) > 0 {
		b.WriteString("\n")
	}
	for _, f := range r.Forecasts {
		fmt.Fprintf(b, "forecast %s · %s: %s\n", text.Clean(f.Profile), text.Clean(f.Org), f.Basis)
	}
}

// forecastJSON is one forecast in JSON; like Columns, its names are a
// stable interface. Whatever the pace's unit, spans are in days and rates
// per day. Times are RFC 3339; absent levels are null.
type forecastJSON struct {
	Profile       string       `json:"profile"`
	Org           string       `json:"org"`
	EnoughHistory bool         `json:"enough_history"`
	HistoryDays   float64      `json:"history_days"` // whole pace units of history
	PaceDays      float64      `json:"pace_days"`
	CreditsPerDay float64      `json:"credits_per_day"`
	WritesPerDay  float64      `json:"writes_per_day"`
	Credits       *outlookJSON `json:"credits"`
	Quota         *outlookJSON `json:"quota"`
	Basis         string       `json:"basis"`
}

type outlookJSON struct {
	Remaining   float64    `json:"remaining"`
	Limit       float64    `json:"limit,omitempty"`
	Seen        time.Time  `json:"seen"`
	Resets      *time.Time `json:"resets,omitempty"`
	RunsOut     *time.Time `json:"runs_out"` // null: not at this pace
	BeforeReset bool       `json:"before_reset,omitempty"`
}

func forecastToJSON(f Forecast) forecastJSON {
	days := 1.0 // per unit of the pace
	if f.Pace.Unit > 0 {
		days = float64(f.Pace.Unit) / float64(24*time.Hour)
	}
	return forecastJSON{Profile: f.Profile, Org: f.Org, EnoughHistory: f.Enough, HistoryDays: float64(f.History) * days,
		PaceDays: float64(f.Units) * days, CreditsPerDay: f.CreditsPerUnit / days, WritesPerDay: f.WritesPerUnit / days,
		Credits: outlookToJSON(f.Credits), Quota: outlookToJSON(f.Quota), Basis: f.Basis}
}

func outlookToJSON(o *estimate.Outlook) *outlookJSON {
	if o == nil {
		return nil
	}
	j := &outlookJSON{Remaining: o.Remaining, Limit: o.Limit, Seen: o.Seen, BeforeReset: o.BeforeReset}
	if !o.Reset.IsZero() {
		j.Resets = &o.Reset
	}
	if !o.RunsOut.IsZero() {
		j.RunsOut = &o.RunsOut
	}
	return j
}

// LoadForecast is LoadForecasts for one profile and org (the dashboard's
// own); ok is false when neither its balance nor its quota was observed.
func LoadForecast(src ForecastSource, profile, org string, pace estimate.Pace, now time.Time, zone *time.Location) (f estimate.Forecast, ok bool, err error) {
	all, err := LoadForecasts(src, pace, now, zone)
	if err != nil {
		return f, false, err
	}
	for _, one := range all {
		if one.Profile == profile && one.Org == org {
			return one.Forecast, true, nil
		}
	}
	return f, false, nil
}
