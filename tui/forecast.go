// The history's forecast in the credits and quota gauges: read at start
// and every minute in a tea.Cmd (the store is a file), kept in the model,
// drawn by the gauges with its basis. Without a source, or without enough
// history, the gauges keep the session's own pace.

package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/tui/gauges"
	"github.com/abtop-dev/abtop/tui/logview"
	"github.com/abtop-dev/abtop/tui/styles"
)

// forecastEvery is how often the forecast is read again: its pace moves
// by the minute (the history keeps minutes), not by the poll.
const forecastEvery = time.Minute

// forecastPace is the dashboard's look back: the last hour, so the
// gauges follow a batch within the hour, and have a forecast an hour
// after abtop first recorded (the report's week needs two days).
var forecastPace = estimate.HourPace

type (
	forecastTickMsg struct{}
	forecastDoneMsg struct {
		f   estimate.Forecast
		ok  bool
		err error
	}
)

func forecastCmd(ctx context.Context, src ForecastSource, now time.Time) tea.Cmd {
	return func() tea.Msg {
		f, ok, err := src.Forecast(ctx, forecastPace, now)
		return forecastDoneMsg{f: f, ok: ok, err: err}
	}
}

// forecastInit is the first read (nil without a source); each answer
// schedules the next, so there is one chain of them.
func (m *Model) forecastInit() tea.Cmd {
	if m.opts.Forecast == nil {
		return nil
	}
	return forecastCmd(m.ctx, m.opts.Forecast, m.now)
}

// onForecastMsg handles the forecast's messages; false for any other.
func (m *Model) onForecastMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case forecastTickMsg:
		if m.opts.Forecast == nil {
			return nil, true
		}
		return forecastCmd(m.ctx, m.opts.Forecast, m.now), true
	case forecastDoneMsg:
		m.forecast = nil
		switch {
		case msg.err != nil:
			// the session's own pace stands in; said once, not every minute
			if e := describe(msg.err); e != m.forecastErr {
				m.forecastErr = e
				m.log.Add(logview.Entry{At: m.now, Level: styles.Warning, Text: "forecast: history: " + e + " · the gauges use this session's pace"})
			}
		case msg.ok:
			m.forecastErr = ""
			m.forecast = &msg.f
		}
		m.layout() // the gauge boxes may have grown or shrunk
		return tea.Tick(forecastEvery, func(time.Time) tea.Msg { return forecastTickMsg{} }), true
	}
	return nil, false
}

// boxRows is the height of the wide layout's gauge boxes: title,
// headline, the most detail lines of any gauge, and the foot (the
// forecast adds its basis under the quota's outlook).
func (m *Model) boxRows() int {
	n := 0
	for _, g := range gauges.Build(m.gaugeInput(), m.st) {
		n = max(n, len(g.Lines))
	}
	return n + 3
}
