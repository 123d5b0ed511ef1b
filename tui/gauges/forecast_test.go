package gauges

import (
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/usagestate"
)

// spending is a session that saw the quota fall to quotaLeft and the
// balance fall fast over five minutes (its own pace: out within hours).
func spending(quotaLeft int64) *usagestate.State {
	s := usagestate.New(5*time.Second, 10)
	reset := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range 6 {
		at := t0.Add(time.Duration(i-5) * time.Minute)
		s.Observe(apiclient.Observation{Status: 200, Snapshot: usage.Snapshot{Received: at,
			Quota: &usage.Quota{Limit: i64(25000), Remaining: i64(quotaLeft + int64(5-i)*10), ResetAfter: dur(reset.Sub(at))}}}, at)
		s.SetCredits(1000-float64(i)*10, at, "balance")
	}
	return s
}

// idle is the history's forecast of an hour in which abtop spent nothing.
func idle(quotaLeft float64) *estimate.Forecast {
	f := estimate.ForecastAt(estimate.HourPace, nil, t0.Add(-3*time.Hour), &estimate.Level{Remaining: 950, Seen: t0},
		&estimate.Level{Remaining: quotaLeft, Limit: 25000, Seen: t0, Reset: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}, t0, time.UTC)
	return &f
}

// The history's forecast takes the session's lines, but not its warning:
// the history counts only what abtop spent, and a balance falling for
// other tools' jobs still warns.
func TestForecastKeepsTheSessionsWarning(t *testing.T) {
	st := styles.New(true, true)
	in := Input{S: spending(5000), Now: t0, PollInterval: time.Minute}
	before := Build(in, st)[2]
	in.Forecast = idle(5000)
	g := Build(in, st)[2]
	if before.Level != styles.Warning || g.Level != styles.Warning {
		t.Fatalf("credits level %v with the forecast, %v without, want a warning both times", g.Level, before.Level)
	}
	if got := strings.Join(g.Lines, " | "); got != "~ credits do not run out | at the last hour's pace (0 credits/hour)" {
		t.Fatalf("credits lines %q", got)
	}
	q := Build(in, st)[1]
	if got := strings.Join(q.Lines[1:], " | "); got != "~ monthly quota lasts until its reset on 1 Dec | at the last hour's pace (0 writes/hour)" {
		t.Fatalf("quota lines %q", got)
	}
}

// An exhausted quota says so, whatever a forecast says about its pace.
func TestExhaustedQuotaOutranksTheForecast(t *testing.T) {
	st := styles.New(true, true)
	g := Build(Input{S: spending(0), Now: t0, Forecast: idle(0)}, st)[1]
	if g.Level != styles.Critical || len(g.Lines) != 2 || !strings.Contains(g.Lines[1], "exhausted") {
		t.Fatalf("level %v, lines %q", g.Level, g.Lines)
	}
}
