package estimate

import (
	"fmt"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/format"
)

// Pace says how far back a forecast looks: the spending of at most Max
// whole Units before now, and no forecast from fewer than Min Units of
// history (one day's spending says more about that day, a single batch,
// than about the pace).
type Pace struct {
	Unit     time.Duration // time.Hour or a day (24 h)
	Max, Min int
}

// Paces: `abtop report` looks back a week; a live view may look back an
// hour ("at the last hour's pace").
var (
	WeekPace = Pace{Unit: 24 * time.Hour, Max: 7, Min: 2}
	HourPace = Pace{Unit: time.Hour, Max: 1, Min: 1}
)

// unit names p's unit: "day" or "hour", and one of it ("a day").
func (p Pace) unit() (name, one string) {
	if p.Unit == time.Hour {
		return "hour", "an hour"
	}
	return "day", "a day"
}

const day = 24 * time.Hour

// Spend is what one history record spent (a tally: charged minus refunded
// credits, and writes) at its time.
type Spend struct {
	At      time.Time
	Credits float64
	Writes  int64
}

// Level is a limit's last observed value.
type Level struct {
	Remaining float64
	Limit     float64   // 0 when unknown
	Seen      time.Time // when it was observed
	Reset     time.Time // when it resets (the quota); zero when it does not by itself or is unknown
}

// Outlook is when one limit runs out at the pace.
type Outlook struct {
	Level
	// RunsOut is when it runs out at the pace; zero when it does not (no
	// spending, or the quota resets first, or it reset since it was seen).
	RunsOut     time.Time
	BeforeReset bool // the quota runs out before its reset
	ResetSince  bool // the quota reset after it was last seen: no forecast
	// Words is this outlook alone, longest first, for a view that shows
	// each limit apart (the dashboard's gauges): the first is Basis's own
	// clause ("credits last ~9 days"), the others shorter for a view that
	// names the limit already ("last ~9 days"). Empty without enough history.
	Words []string
	// PaceWords is the pace it stands on, longest first ("at the last
	// hour's pace (568.2 credits/hour)", "… (568.2/hour)", "at the last
	// hour's pace").
	PaceWords []string
}

// Forecast is the outlook of the credit balance and the monthly quota at
// the recent pace, with its basis stated in Basis.
type Forecast struct {
	Pace    Pace
	Enough  bool // history spans at least Pace.Min units
	History int  // whole units (days, hours) since observation began
	Units   int  // the units the pace is taken over (0 when !Enough)
	// Per unit of the pace (a day, an hour).
	CreditsPerUnit float64
	WritesPerUnit  float64
	// Credits and Quota are nil when not observed; without enough history
	// they hold the level alone.
	Credits *Outlook
	Quota   *Outlook
	Basis   string // "at the last 7 days' pace (212 credits/day) credits last ~9 days; …"
}

// ForecastAt forecasts the balance and the quota from spending since
// observation began (since, zero when never) up to now. The pace is the
// spending of the last whole units, up to p.Max, divided by those units;
// dates are written in zone.
func ForecastAt(p Pace, spends []Spend, since time.Time, credits, quota *Level, now time.Time, zone *time.Location) Forecast {
	if zone == nil {
		zone = time.Local
	}
	if p.Unit <= 0 || p.Max < 1 {
		p = WeekPace
	}
	f := Forecast{Pace: p}
	unit, oneUnit := p.unit()
	if !since.IsZero() && since.Before(now) {
		f.History = int(now.Sub(since) / p.Unit)
	}
	if credits == nil && quota == nil {
		f.Basis = "no balance or quota observed"
		return f
	}
	if credits != nil {
		f.Credits = &Outlook{Level: *credits}
	}
	if quota != nil {
		f.Quota = &Outlook{Level: *quota}
	}
	if f.History < max(p.Min, 1) {
		f.Basis = "not enough history: " + historyAge(since, now, f.History, unit, oneUnit)
		return f
	}
	f.Enough = true
	f.Units = min(f.History, p.Max)
	from := now.Add(-time.Duration(f.Units) * p.Unit)
	var spent float64
	var writes int64
	for _, s := range spends {
		if !s.At.Before(from) && s.At.Before(now) {
			spent += s.Credits
			writes += s.Writes
		}
	}
	f.CreditsPerUnit = max(spent, 0) / float64(f.Units)
	f.WritesPerUnit = float64(writes) / float64(f.Units)
	unitsPerDay := float64(day) / float64(p.Unit)

	span := "the last " + unit + "'s"
	if f.Units > 1 {
		span = fmt.Sprintf("the last %d %ss'", f.Units, unit)
	}
	at := "at " + span + " pace"
	credRate, writeRate := format.Number(f.CreditsPerUnit), format.Number(f.WritesPerUnit)
	credits1, writes1 := format.Credits(f.CreditsPerUnit), writeRate+" writes"
	pace := at + " (" + credits1 + "/" + unit
	if quota != nil {
		pace += ", " + writes1 + "/" + unit
	}
	var parts []string
	if o := f.Credits; o != nil {
		o.RunsOut = runsOut(o.Level, f.CreditsPerUnit*unitsPerDay)
		o.Words, o.PaceWords = creditsWords(*o, now), paceWords(at, credits1, credRate, unit)
		parts = append(parts, o.Words[0])
	}
	if o := f.Quota; o != nil {
		if !o.Reset.IsZero() && !o.Reset.After(now) {
			o.ResetSince = true
		} else if out := runsOut(o.Level, f.WritesPerUnit*unitsPerDay); !out.IsZero() && (o.Reset.IsZero() || out.Before(o.Reset)) {
			o.RunsOut, o.BeforeReset = out, !o.Reset.IsZero()
		}
		o.Words, o.PaceWords = quotaWords(*o, now, zone), paceWords(at, writes1, writeRate, unit)
		parts = append(parts, o.Words[0])
	}
	f.Basis = pace + ") " + strings.Join(parts, "; ")
	return f
}

// runsOut is when l is spent at perDay from when it was seen; zero when
// nothing is spent. A level spent before now runs out "now" at the latest.
func runsOut(l Level, perDay float64) time.Time {
	if perDay <= 0 {
		return time.Time{}
	}
	days := max(l.Remaining, 0) / perDay
	if days > 100*365 { // beyond any date worth printing (and time.Duration)
		return time.Time{}
	}
	return l.Seen.Add(time.Duration(days * float64(day))).Round(time.Second)
}

func historyAge(since, now time.Time, n int, unit, oneUnit string) string {
	switch {
	case since.IsZero() || !since.Before(now):
		return "none"
	case n == 0:
		return "under " + oneUnit
	}
	return format.Quantity(n, unit, unit+"s")
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
