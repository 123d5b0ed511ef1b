package main

import (
	"context"
	"time"

	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/report"
	"github.com/abtop-dev/abtop/session"
)

// historyForecast is the gauges' forecast (tui.ForecastSource): this
// profile's balance and quota as every abtop process recorded them, with
// dates in the caps' time zone like `abtop report`.
type historyForecast struct{ sess *session.Session }

func (h historyForecast) Forecast(_ context.Context, pace estimate.Pace, now time.Time) (estimate.Forecast, bool, error) {
	cfg := h.sess.Config
	return report.LoadForecast(h.sess.History, cfg.Profile, session.DefaultOrg(cfg), pace, now, cfg.Caps.Zone)
}
