package session

import (
	"context"
	"log/slog"
	"net/url"
	"strings"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/redisbudget"
	"github.com/abtop-dev/abtop/config"
)

// BudgetOpener opens the organization budget a limiter setting names.
// log receives a shared store's mode changes (nil: discard). A store that
// is shared implements budget.Sharer; one that keeps its own reference
// clock implements budget.Clock; one that holds resources implements
// io.Closer. The session finds each by itself.
type BudgetOpener func(ctx context.Context, cfg config.Config, log *slog.Logger) (budget.Store, error)

// Backends maps a limiter URL's scheme to the opener of its store. A
// scheme not listed goes to Redis, whose errors then say what a limiter
// URL may be. A new shared store is one more entry here.
func Backends() map[string]BudgetOpener {
	return map[string]BudgetOpener{
		"redis":  openRedis,
		"rediss": openRedis,
		"unix":   openRedis,
	}
}

// openBudget opens the budget cfg.Limiter asks for: in-process
// (budget.Memory) when empty, else the backend of its scheme.
func openBudget(ctx context.Context, cfg config.Config, backends map[string]BudgetOpener, log *slog.Logger) (budget.Store, error) {
	limiter := strings.TrimSpace(cfg.Limiter)
	if limiter == "" {
		return budget.NewMemory(defaultPlan()), nil
	}
	open := openRedis
	if u, err := url.Parse(limiter); err == nil {
		if o, ok := backends[u.Scheme]; ok {
			open = o
		}
	}
	return open(ctx, cfg, log)
}

// defaultPlan is what a budget assumes before the first response states
// the real limits: the smallest plan, so nothing is sent early.
func defaultPlan() budget.Plan { return budget.PlanNamed("free") }

// openRedis shares the budget through Redis. Bad limiter URLs, hosts that
// do not resolve and authentication failures are errors (with the password
// masked); a Redis that is merely down is not: the store starts at a
// conservative local share and connects by itself.
func openRedis(ctx context.Context, cfg config.Config, log *slog.Logger) (budget.Store, error) {
	store, _, err := redisbudget.FromConfig(ctx, cfg.Limiter, DefaultOrg(cfg), defaultPlan(), redisbudget.Options{Logger: log})
	return store, err
}

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
