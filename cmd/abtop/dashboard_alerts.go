package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/abtop-dev/abtop/alerts"
	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/tui"
)

// profileAlerts is one profile's alert engine as a process that runs a
// queue uses it: observe feeds it every response, follow a queue's events
// (failed jobs, caps, the batch's end); wait lets the channels finish
// sending before the process exits.
type profileAlerts struct {
	profile string
	engine  *alerts.Engine
	d       *alerts.Dispatcher
}

// alertsFor sets up cfg's alerts with the config's channels plus extra
// ones (the dashboard's banner); desktop notifications go to tty as the
// terminal's own escape where it shows them (nil: the system notifier).
// Failing channels are logged to log. It
// returns nil when they cannot be set up (config load already validated
// the section, so that is a webhook URL refused late): monitoring goes on.
func (a *app) alertsFor(cfg config.Config, ac alerts.Config, log *slog.Logger, tty io.Writer, extra ...alerts.Channel) *profileAlerts {
	chs, err := alerts.Channels(ac, os.Getenv, tty, nil)
	if err != nil {
		return nil
	}
	d := alerts.NewDispatcher(log, 0, append(chs, extra...)...)
	store := ""
	if dir := a.stateDir(); dir != "" {
		store = filepath.Join(dir, alerts.StateFile)
	}
	e, err := alerts.NewEngine(alerts.Options{Config: cfg.Alerts, Store: alerts.NewStore(store), Send: d.Send, Log: log})
	if err != nil {
		return nil
	}
	profile := cfg.Profile
	if profile == "" {
		profile = config.DefaultProfile
	}
	return &profileAlerts{profile: profile, engine: e, d: d}
}

func (p *profileAlerts) observe(o apiclient.Observation) {
	if p != nil {
		p.engine.Observe(alerts.ReadingOf(p.profile, o.Status, o.Snapshot))
	}
}

// follow feeds q's events to the engine until ctx ends or stop is called;
// done closes once what was buffered is read.
func (p *profileAlerts) follow(ctx context.Context, q *queue.Queue) (stop func(), done <-chan struct{}) {
	ch := make(chan struct{})
	if p == nil || q == nil {
		close(ch)
		return func() {}, ch
	}
	events, unsub := q.Subscribe(1024)
	go func() {
		defer close(ch)
		p.engine.FollowQueue(ctx, p.profile, q, events)
	}()
	return unsub, ch
}

// alertsGrace bounds how long an exiting process waits for its alerts to
// be delivered (each channel has its own, longer timeout; a hung webhook
// must not hold a finished submit or a quit dashboard for long).
const alertsGrace = 5 * time.Second

// wait lets the channels finish what they are sending, for at most grace.
func (p *profileAlerts) wait(grace time.Duration) {
	if p == nil {
		return
	}
	done := make(chan struct{})
	go func() { p.d.Wait(); close(done) }()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// dashboardAlerts wires the profile's alerts for the dashboard: alerts
// reach the banner and bell (and the terminal's own notification escape,
// emitted by the TUI, which owns the terminal) and the config's other
// channels. It returns the alerts (nil when they cannot be set up) and
// the stream for tui.Options.Alerts. Failing channels are not logged: a
// line on stderr would tear the full-screen view.
func (a *app) dashboardAlerts(ctx context.Context, cfg config.Config) (*profileAlerts, <-chan tui.Alert) {
	ac := cfg.Alerts
	osc := ""
	if ac.Desktop {
		if osc = alerts.TerminalOSC(os.Getenv); osc != "" {
			ac.Desktop = false // the TUI writes the escape itself
		}
	}
	banner, stream := alerts.NewBanner(16)
	pa := a.alertsFor(cfg, ac, slog.New(slog.DiscardHandler), nil, banner)
	if pa == nil {
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
	return pa, out
}
