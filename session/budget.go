package session

import (
	"context"
	"log/slog"
	"net/url"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/limiter"
	"github.com/abtop-dev/abtop/config"
)

// BudgetOpener opens the organization budget cfg.Limiter names. log
// receives a shared store's mode changes (nil: discard). The default is
// OpenBudget; tests plug in a made-up store.
type BudgetOpener func(ctx context.Context, cfg config.Config, log *slog.Logger) (*limiter.Budget, error)

// OpenBudget opens the budget cfg.Limiter names through package limiter,
// the one place that decides which store a setting names: by default the
// store every abtop process of the organization on this machine shares,
// "memory" for this process alone, redis://… across machines.
func OpenBudget(ctx context.Context, cfg config.Config, log *slog.Logger) (*limiter.Budget, error) {
	return limiter.Open(ctx, cfg.Limiter, DefaultOrg(cfg), limiter.Options{Plan: defaultPlan(), Logger: log})
}

// defaultPlan is what a budget assumes before the first response states
// the real limits: the smallest plan, so nothing is sent early.
func defaultPlan() budget.Plan { return budget.PlanNamed("free") }

// DefaultOrg names the organization whose budget is shared when the
// limiter URL has no ?org=: the API has no organization id, so it is the
// API host and the profile name. Machines that submit for one organization
// must use the same profile name (or the same ?org=NAME). Never derived
// from the token: teams use one token per machine, and the limits are the
// org's.
func DefaultOrg(cfg config.Config) string {
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
