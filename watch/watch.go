// Package watch is "abtop watch": headless monitoring of several profiles
// at once for a server, a login session or cron. Each profile gets its
// own session (its own budget and scheduler) and polls with package
// monitor, exactly as the dashboard does; every response refreshes the
// profile's status line state (session), feeds the alert rules and the
// metrics. It logs one line per poll, with what the poll cost.
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/alerts"
	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/metrics"
	"github.com/abtop-dev/abtop/monitor"
	"github.com/abtop-dev/abtop/session"
	"github.com/abtop-dev/abtop/statusline"
)

// Options configure a watch.
type Options struct {
	Profiles []config.Config // validated configs, one per profile
	Version  string
	// StateDir holds the status line state, the watcher claims and the
	// alerts' shared state; "" keeps all of it in memory (tests).
	StateDir string
	// Once polls each profile once and returns (cron).
	Once    bool
	Metrics *metrics.Metrics // nil: none
	Log     *slog.Logger     // nil: discard
	Getenv  func(string) string
	// HTTPClient reaches the API (tests: an in-memory sandbox per
	// profile, by base URL); nil: the default transport.
	HTTPClient func(cfg config.Config) *http.Client
	// Channels, when set, replaces the channels a profile's alerts config
	// asks for (tests); nil: alerts.Channels from the config.
	Channels func(cfg config.Config) []alerts.Channel
}

// Run watches every profile until ctx ends (or once each with Once). A
// profile that cannot start (another watch already keeps it fresh, a
// budget that will not open) is logged and left out; Run fails only when
// no profile could start.
func Run(ctx context.Context, o Options) error {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if len(o.Profiles) == 0 {
		return errors.New("watch: no profile to watch")
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		started int
		skipped int
		errs    []error
	)
	for _, cfg := range o.Profiles {
		p, err := open(ctx, o, cfg)
		if errors.Is(err, statusline.ErrWatched) {
			// Not a failure: that watch keeps the profile fresh (a cron
			// "--once" beside a running watch must not mail errors).
			o.Log.Info("not watching: "+err.Error(), "profile", cfg.Profile)
			skipped++
			continue
		}
		if err != nil {
			o.Log.Error("not watching", "profile", cfg.Profile, "err", err)
			errs = append(errs, fmt.Errorf("%s: %w", cfg.Profile, err))
			continue
		}
		started++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer p.close()
			if err := p.run(ctx, o.Once); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", p.name, err))
				mu.Unlock()
			}
		}()
	}
	if started == 0 && skipped == 0 {
		return errors.Join(errs...)
	}
	wg.Wait()
	if o.Once {
		return errors.Join(errs...) // cron wants to know a poll failed
	}
	return nil
}

// profile is one watched profile.
type profile struct {
	name     string
	interval time.Duration
	log      *slog.Logger
	sess     *session.Session
	poller   *monitor.Poller
	engine   *alerts.Engine
	dispatch *alerts.Dispatcher
	metrics  *metrics.Metrics // nil: none
	release  func()

	requests int // this watch's own requests for the profile
	start    time.Time
}

func open(ctx context.Context, o Options, cfg config.Config) (*profile, error) {
	name := cfg.Profile
	if name == "" {
		name = config.DefaultProfile
	}
	p := &profile{name: name, interval: cfg.PollInterval, log: o.Log.With("profile", name), metrics: o.Metrics, release: func() {}}
	if p.interval <= 0 {
		p.interval = config.DefaultPollInterval
	}
	if o.StateDir != "" {
		release, err := statusline.ClaimWatcher(o.StateDir, name)
		if err != nil {
			return nil, err // ErrWatched: another watch polls it already
		}
		p.release = release
	}
	chs, err := channels(o, cfg)
	if err != nil {
		p.release()
		return nil, err
	}
	p.dispatch = alerts.NewDispatcher(p.log, 0, chs...)
	storePath := ""
	if o.StateDir != "" {
		storePath = filepath.Join(o.StateDir, alerts.StateFile)
	}
	p.engine, err = alerts.NewEngine(alerts.Options{Config: cfg.Alerts, Store: alerts.NewStore(storePath), Send: p.alert, Log: p.log})
	if err != nil {
		p.release()
		return nil, err
	}
	observers := []func(apiclient.Observation){p.engine.Observer(name)}
	if o.Metrics != nil {
		observers = append(observers, o.Metrics.Observer(name))
	}
	var hc *http.Client
	if o.HTTPClient != nil {
		hc = o.HTTPClient(cfg)
	}
	p.sess, err = session.Open(ctx, session.Options{Config: cfg, Version: o.Version, Observers: observers,
		StateDir: o.StateDir, HTTPClient: hc, Log: p.log})
	if err != nil {
		p.release()
		return nil, err
	}
	p.poller = &monitor.Poller{Session: p.sess}
	return p, nil
}

func channels(o Options, cfg config.Config) ([]alerts.Channel, error) {
	if o.Channels != nil {
		return o.Channels(cfg), nil
	}
	// Headless: no terminal to write OSC 9/777 to, the system notifier only.
	return alerts.Channels(cfg.Alerts, o.Getenv, nil, nil)
}

// alert logs an alert that fired and hands it to the channels.
func (p *profile) alert(a alerts.Alert) {
	p.log.Warn("alert", "rule", a.Rule, "severity", a.Severity, "text", a.Text)
	p.dispatch.Send(a)
}

func (p *profile) close() {
	p.dispatch.Wait() // each delivery is bounded by its channel's timeout
	_ = p.sess.Close()
	p.release()
}

// run polls until ctx ends, or once.
func (p *profile) run(ctx context.Context, once bool) error {
	p.start = p.sess.Now()
	p.log.Info("watching", "poll_interval", p.interval.String(), "limiter", limiterMode(p.sess))
	for {
		res, err := p.poller.Poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		p.requests += res.Requests
		p.report(res, err)
		if once {
			return err
		}
		t := time.NewTimer(monitor.Next(p.interval, res, time.Time{}, p.sess.Now()))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// report logs one poll and passes the active alerts to the status line.
func (p *profile) report(res monitor.Result, err error) {
	texts := []string{}
	for _, a := range p.engine.Active(p.name) {
		texts = append(texts, a.Text)
	}
	if p.sess.Statusline != nil {
		p.sess.Statusline.SetAlerts(texts)
	}
	elapsed := p.sess.Now().Sub(p.start)
	attrs := []any{"own_requests", p.requests, "own_per_hour", perHour(p.requests, elapsed)}
	if err != nil {
		p.log.Error("poll failed", append(attrs, "err", err)...)
		return
	}
	if res.Concurrency > 0 {
		// the budget store holds a slot per job running under the
		// concurrency limit, for every abtop of the machine (or of Redis)
		if p.sess.Statusline != nil {
			p.sess.Statusline.SetRunning(res.Running)
		}
		if p.metrics != nil {
			p.metrics.SetRunning(p.name, res.Running)
		}
	}
	attrs = append(attrs, usageAttrs(res)...)
	attrs = append(attrs, "alerts", len(texts))
	p.log.Info("poll", attrs...)
}

func limiterMode(s *session.Session) string {
	if sh := s.Sharing(); sh.Shared {
		return "shared"
	}
	return "this process"
}
