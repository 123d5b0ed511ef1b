package estimate

import (
	"fmt"
	"math"
	"time"
)

// The outlooks' wordings, longest first. The first of each is the clause
// a Basis is made of (`abtop report`); the shorter ones leave out what a
// view that names the limit already says (the dashboard's gauges, titled
// "Credits" and "Monthly writes", with the quota's reset date above).

func creditsWords(o Outlook, now time.Time) []string {
	if o.RunsOut.IsZero() {
		return []string{"credits do not run out", "do not run out"}
	}
	left := o.RunsOut.Sub(now)
	var last string
	switch {
	case left <= 0:
		return []string{"credits are spent by now", "spent by now"}
	case left < time.Hour:
		last = "last under an hour"
	case left < 2*day:
		last = fmt.Sprintf("last ~%d hours", int(math.Round(left.Hours())))
	default:
		last = fmt.Sprintf("last ~%d days", int(math.Round(left.Hours()/24)))
	}
	return []string{"credits " + last, last}
}

func quotaWords(o Outlook, now time.Time, zone *time.Location) []string {
	switch {
	case o.ResetSince:
		return []string{"monthly quota reset since it was last seen", "reset since it was last seen", "reset since seen"}
	case o.RunsOut.IsZero() && o.Reset.IsZero():
		return []string{"monthly quota does not run out", "does not run out"}
	case o.RunsOut.IsZero():
		reset := date(o.Reset, now, zone)
		return []string{"monthly quota lasts until its reset on " + reset, "lasts until its reset on " + reset, "lasts until its reset"}
	}
	out := "runs out on " + date(maxTime(o.RunsOut, now), now, zone)
	if !o.BeforeReset {
		return []string{"monthly quota " + out, out}
	}
	return []string{"monthly quota " + out + ", before its reset on " + date(o.Reset, now, zone), out + ", before its reset", out}
}

// paceWords is one limit's pace: "at the last hour's pace (568.2
// credits/hour)", without the unit, and without the rate.
// rate is "568.2 credits", bare "568.2".
func paceWords(at, rate, bare, unit string) []string {
	return []string{at + " (" + rate + "/" + unit + ")", at + " (" + bare + "/" + unit + ")", at}
}

// date is "12 Dec", with the year when it is not now's.
func date(t, now time.Time, zone *time.Location) string {
	t = t.In(zone)
	if t.Year() != now.In(zone).Year() {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan")
}
