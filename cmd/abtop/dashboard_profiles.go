package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	live "github.com/abtop-dev/abtop/batches"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/session"
	"github.com/abtop-dev/abtop/tui"
)

// dashboardProfiles are the profiles the dashboard shows: the selected
// one, or several with --profile a,b or --all-profiles (then an overview
// strip shows them all and v switches the detailed view between them).
func (a *app) dashboardProfiles(cmd *cobra.Command) ([]config.Config, error) {
	all, _ := cmd.Flags().GetBool("all-profiles")
	names := splitList(a.v.GetString("profile"))
	if all && len(names) > 0 {
		return nil, errors.New("--all-profiles and --profile: give one of them")
	}
	if !all && len(names) <= 1 {
		cfg, err := a.loadConfig()
		return []config.Config{cfg}, err
	}
	if a.v.GetBool("sandbox") {
		return nil, errors.New("--sandbox is one simulated organization: it shows one profile")
	}
	opts := a.loadOptions()
	if all {
		var err error
		if names, err = config.Profiles(opts); err != nil {
			return nil, err
		}
	}
	cfgs, err := a.profileConfigs(opts, names)
	if err != nil {
		return nil, err
	}
	// one journal is one process's queue: a second profile on it would
	// only watch the first one's
	seen := map[string]string{}
	for _, c := range cfgs {
		if prev, dup := seen[c.JournalPath]; dup {
			return nil, fmt.Errorf("profiles %s and %s both use the journal %s (--journal or ABTOP_JOURNAL?): give each profile its own", prev, c.Profile, c.JournalPath)
		}
		seen[c.JournalPath] = c.Profile
	}
	return cfgs, nil
}

// profileConfigs loads the config of each named profile with the flags
// of opts; the config file's warnings are printed once.
func (a *app) profileConfigs(opts config.LoadOptions, names []string) ([]config.Config, error) {
	var cfgs []config.Config
	for i, name := range names {
		po := opts
		po.Profile = name
		cfg, rep, err := config.Load(po)
		if i == 0 {
			a.printWarnings(rep.Warnings) // the file's warnings, once
		}
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", name, err)
		}
		cfgs = append(cfgs, cfg)
	}
	return cfgs, nil
}

// dashboardProfile is one profile's session wired for the dashboard.
type dashboardProfile struct {
	opts    tui.Options
	runErr  chan error // the queue's end, when this profile runs one
	closers []func()
}

func (d *dashboardProfile) close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}

// openDashboard opens cfg's session and adapts it for the TUI: its
// monitor, alerts and queue (each profile has a journal of its own). Only
// the primary profile records and charts the history: one process holds
// the history file once.
func (a *app) openDashboard(ctx context.Context, cfg config.Config, primary bool) (*dashboardProfile, error) {
	// Every response the client sees reaches the dashboard. The send blocks
	// (the TUI drains continuously) rather than dropping what it learned.
	obs := make(chan apiclient.Observation, 1024)
	observer := func(o apiclient.Observation) {
		select {
		case obs <- o:
		case <-ctx.Done():
		}
	}
	// The org budget, shared with the other abtop processes of this
	// machine by default (or through --limiter); its clock follows the
	// shared store's. No mode log:
	// a line on stderr would tear the full-screen view. The queue is
	// optional: if its journal is held by another abtop (a running
	// "abtop submit"), the dashboard still monitors.
	sandbox := a.v.GetBool("sandbox")
	profAlerts, alertStream := a.dashboardAlerts(ctx, cfg)
	so := session.Options{
		Config: cfg, Version: version, Observer: observer, StateDir: a.stateDir(),
		Observers: []func(apiclient.Observation){profAlerts.observe},
		Queue:     session.QueueOptional, EphemeralJournal: sandbox,
	}
	if primary {
		so.History = a.historyPath()
	}
	sess, err := session.Open(ctx, so)
	if err != nil {
		return nil, err
	}
	d := &dashboardProfile{closers: []func(){func() { sess.Close() }}}
	mon := &monitorAdapter{sess: sess, waits: make(chan tui.ModelsWait, 8)}

	d.opts = tui.Options{
		Profile:      cfg.Profile,
		MaskedToken:  config.MaskToken(cfg.Token),
		TokenSource:  string(cfg.TokenSource),
		Sandbox:      sandbox,
		NoColor:      a.noColor(cfg.NoColor),
		PollInterval: cfg.PollInterval,
		Keys:         cfg.Keys,
		Monitor:      mon,
		Observations: obs,
		Alerts:       alertStream,
		ModelsWaits:  mon.waits,
		Context:      ctx,
	}
	opts := &d.opts
	if dir, err := live.Dir(nil); err == nil {
		opts.Batches = newBatchSource(dir, session.DefaultOrg(cfg))
	}
	if sess.History != nil {
		opts.History = historyChart{sess}
		opts.Forecast = historyForecast{sess}
	}
	if q := sess.Queue; q != nil {
		qa := newQueueAdapter(ctx, q, sess.Store, mon, cfg.Out)
		mon.sync = trackingReads(q)
		opts.Queue = qa
		// one goroutine sends, one follows every created job to its end:
		// the rows move from the events both emit
		d.runErr = make(chan error, 2)
		go func() { d.runErr <- q.Run(ctx, false) }()
		go func() { d.runErr <- q.Follow(ctx) }()
		stopAlerts, alertsDone := profAlerts.follow(ctx, q) // failed jobs, caps, a batch's end
		d.closers = append(d.closers, func() { stopAlerts(); <-alertsDone; profAlerts.wait(alertsGrace) })
		if qa.out != nil {
			d.closers = append(d.closers, qa.out.close) // the manifests as far as they got, once the queue stopped
		}
		opts.Notices = heldNotices(q.Held())
		if !sandbox {
			// another dashboard or "abtop status" sees this queue too
			if owner, err := a.publishQueue(cfg, sess); err == nil {
				d.closers = append(d.closers, func() { owner.Close() })
			}
		}
	} else if dir, derr := live.Dir(nil); derr == nil && errors.Is(sess.QueueErr, queue.ErrJournalInUse) {
		// The journal is held by another abtop (a running "abtop submit"):
		// show its batch, steered through its owner.
		opts.Queue = newBatchAdapter(ctx, dir, cfg.JournalPath)
	} else if sess.QueueErr != nil {
		// said on screen: stderr is hidden under the alternate screen
		opts.NoQueueReason = queueUnavailable(cfg.JournalPath, sess.QueueErr)
	}
	return d, nil
}

// printSummaries is the dashboard without a terminal: each profile's
// one-shot summary as "abtop status" prints it, headed by the profile's
// name (a failed summary prints nothing on stdout: its heading says which
// is missing), in the order given. A profile whose summary fails does not
// hide the others': it is named on stderr and the exit status says so.
func (a *app) printSummaries(ctx context.Context, cfgs []config.Config) error {
	what := "a one-shot summary"
	if len(cfgs) > 1 {
		what += " of each profile"
	}
	fmt.Fprintf(a.errOut, "abtop: not a terminal; printing %s (the same as \"abtop status\")\n", what)
	if len(cfgs) == 1 {
		return a.runStatus(ctx, cfgs[0], false)
	}
	var failed error
	for i, cfg := range cfgs {
		if i > 0 {
			fmt.Fprintln(a.out)
		}
		fmt.Fprintf(a.out, "── profile %s ──\n", cfg.Profile)
		err := a.runStatus(ctx, cfg, false)
		if err == nil {
			continue
		}
		var ee exitError
		if errors.As(err, &ee) {
			fmt.Fprintf(a.errOut, "abtop: profile %s: no summary (said above)\n", cfg.Profile)
		} else {
			fmt.Fprintf(a.errOut, "abtop: profile %s: %v\n", cfg.Profile, err)
			ee = exitError{code: 1}
		}
		if failed == nil {
			failed = ee
		}
	}
	return failed
}
