package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/abtop-dev/abtop/alerts"
	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/tui"
)

// dashboardAlerts wires the profile's alerts for the dashboard: the
// engine observes every response; alerts reach the banner and bell (and
// the terminal's own notification escape, emitted by the TUI, which owns
// the terminal) and the config's other channels. It returns the observer
// to add to the session and the stream for tui.Options.Alerts; nil, nil
// when the alerts cannot be set up (config load already validated the
// section, so that is a webhook URL refused late). Failing channels are
// not logged: a line on stderr would tear the full-screen view.
func (a *app) dashboardAlerts(ctx context.Context, cfg config.Config) (func(apiclient.Observation), <-chan tui.Alert) {
	ac := cfg.Alerts
	osc := ""
	if ac.Desktop {
		if osc = alerts.TerminalOSC(os.Getenv); osc != "" {
			ac.Desktop = false // the TUI writes the escape itself
		}
	}
	chs, err := alerts.Channels(ac, os.Getenv, nil, nil)
	if err != nil {
		return nil, nil
	}
	banner, stream := alerts.NewBanner(16)
	d := alerts.NewDispatcher(slog.New(slog.DiscardHandler), 0, append(chs, banner)...)
	store := ""
	if dir := a.stateDir(); dir != "" {
		store = filepath.Join(dir, alerts.StateFile)
	}
	e, err := alerts.NewEngine(alerts.Options{Config: cfg.Alerts, Store: alerts.NewStore(store), Send: d.Send})
	if err != nil {
		return nil, nil
	}
	out := make(chan tui.Alert, 16)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case al := <-stream:
				t := tui.Alert{Text: al.Text, Critical: al.Severity == alerts.SeverityCritical}
				if osc != "" {
					t.Notify = alerts.OSC(osc, "abtop "+al.Severity, al.Text)
				}
				select {
				case out <- t:
				default: // the dashboard is behind: the log and other channels still have it
				}
			}
		}
	}()
	profile := cfg.Profile
	if profile == "" {
		profile = config.DefaultProfile
	}
	return e.Observer(profile), out
}
