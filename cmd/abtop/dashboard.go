package main

// The dashboard command (abtop with no subcommand): opens a session (budget,
// client, scheduler, queue) and hands it to the TUI through thin adapters. The TUI itself
// (package tui) sees only small interfaces and a plain Options struct.

import (
	"context"
	"errors"
	"fmt"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/caps"
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
	cfgs, err := a.dashboardProfiles(cmd)
	if err != nil {
		return err
	}
	// Without a terminal a full-screen program would garble the output:
	// print the one-shot summaries instead.
	if !isTerminal(a.out) || !isTerminal(a.in) {
		return a.printSummaries(ctx, cfgs)
	}
	cfg := cfgs[0]

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Each profile (--profile a,b or --all-profiles) has a session of its
	// own: its budget, queue and poll cadence. The first one is shown first
	// and keeps the history.
	d, err := a.openDashboard(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer d.close()
	opts := d.opts
	runErrs := []chan error{d.runErr}
	var model tea.Model = tui.New(opts)
	if len(cfgs) > 1 {
		all := []tui.Options{opts}
		for _, c := range cfgs[1:] {
			o, err := a.openDashboard(ctx, c, false)
			if err != nil {
				cancel() // the queues already running end before their sessions close
				a.waitQueues(runErrs)
				return fmt.Errorf("profile %s: %w", c.Profile, err)
			}
			d.closers = append(d.closers, o.close)
			runErrs = append(runErrs, o.runErr)
			all = append(all, o.opts)
		}
		model = tui.NewMulti(all)
	}

	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(a.in), tea.WithOutput(a.rawOut)}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(model, popts...)
	_, err = p.Run()
	cancel()
	a.waitQueues(runErrs)
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// waitQueues waits for each profile's queue to end (its context is
// canceled) and says why one failed.
func (a *app) waitQueues(runErrs []chan error) {
	for _, runErr := range runErrs {
		if runErr == nil {
			continue
		}
		for range cap(runErr) { // the queue's sender and its follower
			if qerr := <-runErr; qerr != nil && !errors.Is(qerr, context.Canceled) {
				fmt.Fprintln(a.errOut, "abtop: queue:", qerr)
			}
		}
	}
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
