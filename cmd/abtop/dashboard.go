package main

// The dashboard command (abtop with no subcommand): opens a session (budget,
// client, scheduler, queue) and hands it to the TUI through thin adapters. The TUI itself
// (package tui) sees only small interfaces and a plain Options struct.

import (
	"context"
	"errors"
	"fmt"
	"github.com/abtop-dev/abtop/caps"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	live "github.com/abtop-dev/abtop/batches"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/monitor"
	"github.com/abtop-dev/abtop/session"
	"github.com/abtop-dev/abtop/tui"
)

func (a *app) runDashboard(cmd *cobra.Command) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if a.v.GetBool("sandbox") {
		// a new user should see a live dashboard: a second simulated client
		// spends part of the sandbox's budget unless --traffic=false says no
		a.v.SetDefault("traffic", true)
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	// Without a terminal a full-screen program would garble the output:
	// print the one-shot summary instead.
	if !isTerminal(a.out) || !isTerminal(a.in) {
		fmt.Fprintln(a.errOut, "abtop: not a terminal; printing a one-shot summary (the same as \"abtop status\")")
		return a.runStatus(ctx, cfg, false)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

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
	alertObserver, alertStream := a.dashboardAlerts(ctx, cfg)
	sess, err := session.Open(ctx, session.Options{
		Config: cfg, Version: version, Observer: observer, StateDir: a.stateDir(),
		Observers: []func(apiclient.Observation){alertObserver},
		Queue:     session.QueueOptional, EphemeralJournal: sandbox, History: a.historyPath(),
	})
	if err != nil {
		return err
	}
	defer sess.Close()
	mon := &monitorAdapter{sess: sess, waits: make(chan tui.ModelsWait, 8)}

	opts := tui.Options{
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
	if sess.History != nil {
		opts.History = historyChart{sess}
	}

	var runErr chan error
	var qa *queueAdapter
	if q := sess.Queue; q != nil {
		qa = newQueueAdapter(ctx, q, sess.Store, mon, cfg.Out)
		mon.sync = trackingReads(q)
		opts.Queue = qa
		// one goroutine sends, one follows every created job to its end:
		// the rows move from the events both emit
		runErr = make(chan error, 2)
		go func() { runErr <- q.Run(ctx, false) }()
		go func() { runErr <- q.Follow(ctx) }()
		opts.Notices = heldNotices(q.Held())
		if !sandbox {
			// another dashboard or "abtop status" sees this queue too
			if owner, err := a.publishQueue(cfg, sess); err == nil {
				defer owner.Close()
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

	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(a.in), tea.WithOutput(a.rawOut)}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(tui.New(opts), popts...)
	_, err = p.Run()
	cancel()
	if runErr != nil {
		for range cap(runErr) {
			if qerr := <-runErr; qerr != nil && !errors.Is(qerr, context.Canceled) {
				fmt.Fprintln(a.errOut, "abtop: queue:", qerr)
			}
		}
	}
	if qa != nil && qa.out != nil {
		qa.out.close() // the manifests as far as they got
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// monitorAdapter is the dashboard's read side: package monitor's poller,
// shared with "abtop watch".
type monitorAdapter struct {
	sess *session.Session

	// sync, when a queue is wired, says how many requests its tracking
	// spent since the last poll: abtop's own cost, shown with the polls'.
	sync func(context.Context) int

	mu     sync.Mutex
	models []apiclient.Model

	// waits carries the models listing's waits to the dashboard (see
	// dashboard_models.go); nil: not said.
	waits chan tui.ModelsWait
}

func (m *monitorAdapter) Poll(ctx context.Context) (tui.PollResult, error) {
	p := monitor.Poller{Session: m.sess, Sync: m.sync}
	r, err := p.Poll(ctx)
	res := tui.PollResult{Balance: r.Balance, Snapshot: r.Snapshot, Requests: r.Requests, Running: r.Running,
		Concurrency: r.Concurrency, Limiter: r.Limiter, Embargo: r.Embargo,
		Batches: otherBatches(session.DefaultOrg(m.sess.Config))}
	if st, serr := m.sess.Store.Snapshot(ctx); serr == nil {
		res.Caps = caps.Lines(m.sess.Config.Caps, st.CapUsage, m.sess.Now(), 0, 0)
	}
	return res, err
}

// Models lists the models once (the add-job form and the file loader ask
// again and again); a failure is not cached.
func (m *monitorAdapter) Models(ctx context.Context) ([]apiclient.Model, error) {
	m.mu.Lock()
	cached := m.models
	m.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	ms, err := m.sess.ModelsWaiting(ctx, m.modelsWait)
	if err != nil {
		return nil, fmt.Errorf("listing models: %w", err)
	}
	m.mu.Lock()
	m.models = ms
	m.mu.Unlock()
	return ms, nil
}

// trackingReads counts the queue's tracking reads (list and get) since the
// last call: the requests abtop spent following its jobs.
func trackingReads(q *queue.Queue) func(context.Context) int {
	var mu sync.Mutex
	last := 0
	return func(context.Context) int {
		st := q.TrackStats()
		n := st.ListReads + st.GetReads
		mu.Lock()
		defer mu.Unlock()
		d := n - last
		last = n
		return max(0, d)
	}
}
