package main

// The dashboard command (abtop with no subcommand): wires the real client,
// scheduler and queue into the TUI through thin adapters. The TUI itself
// (package tui) sees only small interfaces and a plain Options struct.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/config"
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
	// The org budget: in-process, or shared with other abtop processes
	// through Redis (--limiter); its clock then follows the Redis server's.
	// nil mode log: a line on stderr would tear the full-screen view.
	ob, err := a.openBudget(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer ob.Close()
	client, err := a.newClientAt(cfg, observer, ob.Now)
	if err != nil {
		return err
	}
	store := ob.Store
	sched := queue.NewScheduler(queue.Options{Store: store, Now: ob.Now})
	mon := &monitorAdapter{client: client, sched: sched, limiter: ob.StatusLine}

	opts := tui.Options{
		Profile:      cfg.Profile,
		MaskedToken:  config.MaskToken(cfg.Token),
		TokenSource:  string(cfg.TokenSource),
		BaseURL:      cfg.BaseURL,
		Sandbox:      a.v.GetBool("sandbox"),
		NoColor:      cfg.NoColor || a.v.GetBool("no-color") || tui.NoColorFromEnv(),
		PollInterval: cfg.PollInterval,
		Keys:         cfg.Keys,
		Monitor:      mon,
		Observations: obs,
		Context:      ctx,
	}

	// The queue is optional: if its journal is held by another abtop (a
	// running "abtop submit"), the dashboard still monitors.
	var runErr chan error
	journalPath := cfg.JournalPath
	if opts.Sandbox {
		// sandbox jobs must never land in the real journal, where a later
		// "abtop submit --resume" would send them to the real API
		dir, err := os.MkdirTemp("", "abtop-sandbox-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		journalPath = filepath.Join(dir, "queue.db")
	}
	journal, jerr := queue.OpenJournal(journalPath)
	if jerr == nil {
		defer journal.Close()
		q, err := queue.Open(queue.QueueOptions{Journal: journal, Scheduler: sched, API: client, Owner: ownerOf(cfg)})
		if err != nil {
			return err
		}
		qa := newQueueAdapter(ctx, q, store, mon)
		mon.sync = qa.syncServer
		opts.Queue = qa
		runErr = make(chan error, 1)
		go func() { runErr <- q.Run(ctx, false) }()
	} else {
		fmt.Fprintf(a.errOut, "abtop: the job queue is unavailable (%v); monitoring only\n", jerr)
	}

	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(a.in), tea.WithOutput(a.rawOut)}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(tui.New(opts), popts...)
	_, err = p.Run()
	cancel()
	if runErr != nil {
		if qerr := <-runErr; qerr != nil && !errors.Is(qerr, context.Canceled) {
			fmt.Fprintln(a.errOut, "abtop: queue:", qerr)
		}
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// monitorAdapter is the dashboard's read side: polls go through the
// scheduler as low-priority KindPoll calls, so they spend the same budget
// as the queue and wait out the same embargoes.
type monitorAdapter struct {
	client *apiclient.Client
	sched  *queue.Scheduler

	// sync, when a queue is wired, refreshes the server status of created
	// jobs as part of each poll and returns the requests it spent.
	sync func(context.Context) int
	// limiter describes the shared budget ("" when in-process); cheap, no I/O.
	limiter func() string

	mu     sync.Mutex
	models []apiclient.Model
}

func (m *monitorAdapter) Poll(ctx context.Context) (tui.PollResult, error) {
	var res tui.PollResult
	err := m.sched.Do(ctx, queue.Call{Kind: queue.KindPoll}, func(ctx context.Context) (apiclient.Meta, error) {
		res.Requests++
		b, meta, err := m.client.Balance(ctx)
		if err == nil {
			res.Balance = &b
			res.Snapshot = meta.Snapshot
		}
		return meta, err
	})
	if err == nil && m.sync != nil {
		res.Requests += m.sync(ctx)
	}
	if st, serr := m.sched.Store().Snapshot(ctx); serr == nil {
		res.Concurrency = st.ConcurrencyLimit
		res.Running = len(st.Slots)
	}
	if m.limiter != nil {
		res.Limiter = m.limiter()
	}
	return res, err
}

func (m *monitorAdapter) Models(ctx context.Context) ([]apiclient.Model, error) {
	m.mu.Lock()
	cached := m.models
	m.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	var ms []apiclient.Model
	err := m.sched.Do(ctx, queue.Call{Kind: queue.KindRead, Retry: true}, func(ctx context.Context) (apiclient.Meta, error) {
		var meta apiclient.Meta
		var err error
		ms, meta, err = m.client.Models(ctx)
		return meta, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing models: %w", err)
	}
	m.mu.Lock()
	m.models = ms
	m.mu.Unlock()
	return ms, nil
}
