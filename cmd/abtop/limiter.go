package main

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/redisbudget"
	"github.com/abtop-dev/abtop/config"
)

// orgBudget is the organization budget a command spends from: in-process
// (budget.Memory) by default, or shared through Redis with --limiter /
// "limiter:" so several abtop processes, on any machines, split one
// organization's limits.
//
// The dashboard should use it like submit does:
//
//	ob, err := a.openBudget(ctx, cfg, nil)
//	defer ob.Close()
//	client, err := a.newClientAt(cfg, observer, ob.Now)
//	sched := queue.NewScheduler(queue.Options{Store: ob.Store, Now: ob.Now})
//	header := ob.StatusLine() // "" in-process; redraw it every poll
type orgBudget struct {
	Store budget.Store
	// Now is the clock every budget decision must use: the local clock
	// corrected to the Redis server's TIME when shared, time.Now otherwise.
	Now    func() time.Time
	shared *redisbudget.Store // nil in-process
}

// Shared reports whether the budget is shared through Redis.
func (b *orgBudget) Shared() bool { return b.shared != nil }

// Status is the shared budget's mode (nil in-process). Cheap: no round trip.
func (b *orgBudget) Status() *redisbudget.Status {
	if b == nil || b.shared == nil {
		return nil
	}
	st := b.shared.Status()
	return &st
}

// StatusLine is one line for a header or progress line: "shared via redis ·
// 3 submitters · share 1/3", "redis unreachable, local share 1/3 (…)", or ""
// in-process.
func (b *orgBudget) StatusLine() string {
	if st := b.Status(); st != nil {
		return st.String()
	}
	return ""
}

// Close leaves the peers (the others' share grows at once). Safe to call
// more than once.
func (b *orgBudget) Close() {
	if b.shared != nil {
		_ = b.shared.Close()
	}
}

// defaultOrg names the organization whose budget is shared when the limiter
// URL has no ?org=: the API has no organization id, so it is the API host
// and the profile name. Machines that submit for one organization must use
// the same profile name (or the same ?org=NAME). Never derived from the
// token: teams use one token per machine, and the limits are the org's.
func defaultOrg(cfg config.Config) string {
	host := cfg.BaseURL
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Host != "" {
		host = u.Host
	}
	profile := cfg.Profile
	if profile == "" {
		profile = "default"
	}
	return host + "/" + profile
}

// openBudget opens the budget cfg.Limiter asks for. Mode changes of a
// shared budget (Redis lost, reconnected) are written to modeLog as
// "abtop: limiter: …" lines when it is not nil. Bad limiter URLs,
// hosts that do not resolve and authentication failures are errors (with
// the password masked); a Redis that is merely down is not: the budget
// starts at a conservative local share and connects by itself.
func (a *app) openBudget(ctx context.Context, cfg config.Config, modeLog io.Writer) (*orgBudget, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	opts := redisbudget.Options{}
	if modeLog != nil {
		opts.Logger = slog.New(slog.NewTextHandler(prefixWriter{w: modeLog, prefix: "abtop: limiter: "}, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, at slog.Attr) slog.Attr {
				if at.Key == slog.TimeKey || at.Key == slog.LevelKey {
					return slog.Attr{}
				}
				return at
			},
		}))
	}
	store, shared, err := redisbudget.FromConfig(ctx, cfg.Limiter, defaultOrg(cfg), budget.PlanNamed("free"), opts)
	if err != nil {
		return nil, err // names the limiter URL, password masked
	}
	ob := &orgBudget{Store: store, Now: time.Now}
	if shared != nil {
		ob.shared, ob.Now = shared, shared.Now
	}
	return ob, nil
}

// budgetStore is openBudget for callers that keep the store for the whole
// process and only need the store (the dashboard today): a shared store
// then leaves the peers at exit. Prefer openBudget, which also gives the
// reference clock and the status line.
func budgetStore(cfg config.Config) (budget.Store, error) {
	ob, err := (&app{}).openBudget(context.Background(), cfg, nil)
	if err != nil {
		return nil, err
	}
	return ob.Store, nil
}

// prefixWriter prefixes each write (one slog record) with prefix.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
