package tui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/tui/text"
)

// fakeForecast answers the gauges' forecast reads with a fixed answer and
// records what was asked.
type fakeForecast struct {
	mu    sync.Mutex
	f     estimate.Forecast
	ok    bool
	err   error
	paces []estimate.Pace
	nows  []time.Time
}

func (s *fakeForecast) Forecast(_ context.Context, p estimate.Pace, now time.Time) (estimate.Forecast, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paces, s.nows = append(s.paces, p), append(s.nows, now)
	return s.f, s.ok, s.err
}

// hourForecast is what the history says at t0 after `since` of recording:
// the last hour spent 60 credits and 120 writes, the balance and quota
// are the scenario's.
func hourForecast(since time.Duration) estimate.Forecast {
	spends := []estimate.Spend{{At: t0.Add(-30 * time.Minute), Credits: 60, Writes: 120}}
	credits := &estimate.Level{Remaining: 1204.5, Seen: t0}
	quota := &estimate.Level{Remaining: 9803, Limit: 25000, Seen: t0, Reset: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	return estimate.ForecastAt(estimate.HourPace, spends, t0.Add(-since), credits, quota, t0, time.UTC)
}

// withForecast is the golden scenario with a forecast source, after its
// first read (as Init starts it) has come back.
func withForecast(t *testing.T, w, h int, noColor bool, src *fakeForecast) *Model {
	t.Helper()
	m, _ := scenario(w, h, noColor, 40)
	m.opts.Forecast = src
	cmd := m.forecastInit()
	if cmd == nil {
		t.Fatal("no forecast read at start")
	}
	if _, next := m.Update(cmd()); next == nil {
		t.Fatal("the forecast's answer schedules no next read")
	}
	return m
}

func checkScreen(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := text.Width(l); n != w {
			t.Fatalf("line %d is %d cells, want %d: %q", i, n, w, l)
		}
	}
}

// With an hour of history the credits and quota gauges show the
// history's outlook and the pace it stands on, in the report's words (as
// much of them as the gauge's width holds), instead of the session's own
// 10-minute pace.
func TestForecastInTheGauges(t *testing.T) {
	for _, c := range []struct {
		w, h int
		want []string // the outlooks and paces, as much as fits
		not  string   // what does not fit, cut or whole
	}{
		{100, 30, []string{"│⚠ runs out on 28 Nov   ", "│at the last hour's pace   "}, "/hour"},
		{160, 48, []string{"│⚠ runs out on 28 Nov, before its reset│", "│at the last hour's pace (60/hour)   ", "│at the last hour's pace (120/hour)  "}, "credits/hour"},
	} {
		src := &fakeForecast{f: hourForecast(3 * time.Hour), ok: true}
		m := withForecast(t, c.w, c.h, true, src)
		if len(src.paces) != 1 || src.paces[0] != estimate.HourPace || !src.nows[0].Equal(t0) {
			t.Fatalf("%d cols: asked %v at %v, want the hour's pace at %v", c.w, src.paces, src.nows, t0)
		}
		out := m.Render()
		checkScreen(t, out, c.w, c.h)
		v := stripANSI(out)
		// the boxes grew by a line and the panes below gave it up: none is cut
		if lines := strings.Split(v, "\n"); !strings.HasPrefix(lines[c.h-2], "╰") || !strings.HasSuffix(lines[c.h-2], "╯") {
			t.Errorf("%d cols: the last pane is cut off: %q", c.w, lines[c.h-2])
		}
		for _, want := range append(c.want, "│⚠ credits last ~20 hours ", "│resets 1 Dec · in 6d 8h ") {
			if !strings.Contains(v, want) {
				t.Errorf("%d cols: %q not in the gauges:\n%s", c.w, want, v)
			}
		}
		if strings.Contains(v, c.not) {
			t.Errorf("%d cols: %q does not fit, yet is there (cut?):\n%s", c.w, c.not, v)
		}
		if strings.Contains(v, "−568.2/h") || strings.Contains(v, "at this pace: out in") {
			t.Errorf("%d cols: the session's pace is still shown beside the history's:\n%s", c.w, v)
		}
	}
}

// Without a forecast from the history (none observed, under an hour of
// it, or the store failing) the gauges keep the session's own pace; a
// failing store is said once in the log, not every minute.
func TestForecastFallsBackToTheSessionsPace(t *testing.T) {
	for _, c := range []struct {
		name string
		src  *fakeForecast
	}{
		{"nothing observed", &fakeForecast{}},
		{"under an hour", &fakeForecast{f: hourForecast(20 * time.Minute), ok: true}},
		{"store fails", &fakeForecast{err: errors.New("history.db: locked")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := withForecast(t, 100, 30, true, c.src)
			logged := m.log.Len()
			for range 2 { // two more minutes
				_, cmd := m.Update(forecastTickMsg{})
				m.Update(cmd())
			}
			out := m.Render()
			checkScreen(t, out, 100, 30)
			v := stripANSI(out)
			if !strings.Contains(v, "~ −568.2/h · empty in 2h 07m") || !strings.Contains(v, "⚠ at this pace: out in 17h 01m") {
				t.Errorf("the session's pace is not shown:\n%s", v)
			}
			if strings.Contains(v, "hour's pace") {
				t.Errorf("a forecast without its history:\n%s", v)
			}
			last, _ := m.log.Last()
			if said := strings.Contains(last.Text, "history.db: locked"); said != (c.src.err != nil) || m.log.Len() != logged {
				t.Errorf("log: %q (%d entries, %d after the first read)", last.Text, m.log.Len(), logged)
			}
		})
	}
}

// The forecast is read again every minute at the clock's time, and a
// forecast that lapses (the store failing) gives the session's pace back.
func TestForecastRefreshes(t *testing.T) {
	src := &fakeForecast{f: hourForecast(3 * time.Hour), ok: true}
	m := withForecast(t, 100, 30, true, src)
	later := t0.Add(time.Minute)
	m.clock = func() time.Time { return later }
	_, cmd := m.Update(forecastTickMsg{})
	if cmd == nil {
		t.Fatal("a tick reads nothing")
	}
	src.err = errors.New("gone")
	m.Update(cmd())
	if len(src.nows) != 2 || !src.nows[1].Equal(later) {
		t.Fatalf("reads at %v, want a second at %v", src.nows, later)
	}
	if v := plain(m); strings.Contains(v, "hour's pace") || !strings.Contains(v, "−568.2/h") {
		t.Fatalf("an old forecast outlived its failed read:\n%s", v)
	}
}

// Without colour the forecast's warnings keep their glyph and no colour.
func TestForecastNoColor(t *testing.T) {
	m := withForecast(t, 100, 30, true, &fakeForecast{f: hourForecast(3 * time.Hour), ok: true})
	out := m.Render()
	if colourSGR.MatchString(out) {
		t.Fatalf("no-colour output contains a colour: %q", colourSGR.FindString(out))
	}
	if !strings.Contains(out, "⚠ credits last ~20 hours") {
		t.Fatalf("the warning lost its glyph:\n%s", out)
	}
	m = withForecast(t, 100, 30, false, &fakeForecast{f: hourForecast(3 * time.Hour), ok: true})
	if !colourSGR.MatchString(m.Render()) {
		t.Fatal("the colour screen has no colour: the check above cannot fail")
	}
}
