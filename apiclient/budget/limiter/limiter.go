// Package limiter opens the budget store the limiter setting (--limiter,
// the "limiter:" profile key, config.Config.Limiter) asks for:
//
//   - "" (the default) or "local": shared by every abtop process of the
//     organization on this machine (localbudget), with no setup. When its
//     directory cannot be used (read-only home, a file system without
//     flock), the default falls back to this process's budget and says
//     why; an explicit "local" is an error.
//   - "memory": this process only (budget.Memory), the opt-out.
//   - redis://… or rediss://…: shared through Redis by processes on any
//     number of machines (redisbudget); the local store is not used.
//
// cmd/abtop wires it; it keeps no domain logic of its own beyond the
// choice.
package limiter

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/localbudget"
	"github.com/abtop-dev/abtop/apiclient/budget/redisbudget"
)

// Values of the setting besides redis:// URLs.
const (
	Local  = "local"
	Memory = "memory"
)

// Options tune Open. Zero values take the defaults.
type Options struct {
	// Plan is the starting point of a budget nobody has state for yet.
	Plan budget.Plan
	// Dir is the local store's directory; default localbudget.DefaultDir.
	Dir string
	// Logger receives the mode changes of a shared store (a local store
	// that cannot be used, Redis lost or back); default none.
	Logger *slog.Logger
	// Redis tunes a Redis store; its Plan and Logger are set from above.
	Redis redisbudget.Options
}

// Budget is the organization budget a command spends from.
type Budget struct {
	Store budget.Store
	// Now is the clock every decision must use: the local clock, or with
	// Redis the local clock corrected to the Redis server's.
	Now func() time.Time
	// Local is set when the budget is shared on this machine, Redis when it
	// is shared through Redis; both nil when it is this process's only.
	Local *localbudget.Store
	Redis *redisbudget.Store
	// NotShared says why the default local store could not be used (nil
	// otherwise): the budget is then this process's only.
	NotShared error
}

// Open opens the budget setting asks for, for organization org (the same
// key for every process of one organization: see cmd/abtop's defaultOrg).
// Errors name the problem (a Redis password masked). Close releases it.
func Open(ctx context.Context, setting, org string, opts Options) (*Budget, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	setting = strings.TrimSpace(setting)
	switch {
	case setting == Memory:
		return &Budget{Store: budget.NewMemory(opts.Plan), Now: time.Now}, nil
	case setting == "" || setting == Local:
		s, err := openLocal(ctx, org, opts)
		if err == nil {
			return &Budget{Store: s, Now: time.Now, Local: s}, nil
		}
		if setting == Local {
			return nil, err
		}
		opts.Logger.Warn("budget not shared with other abtop processes", "err", err)
		return &Budget{Store: budget.NewMemory(opts.Plan), Now: time.Now, NotShared: err}, nil
	case isRedis(setting):
		ro := opts.Redis
		ro.Plan, ro.Logger = opts.Plan, opts.Logger
		store, shared, err := redisbudget.FromConfig(ctx, setting, org, opts.Plan, ro)
		if err != nil {
			return nil, err
		}
		return &Budget{Store: store, Now: shared.Now, Redis: shared}, nil
	default:
		return nil, fmt.Errorf("limiter %q: want nothing (shared by the abtop processes of this machine), %q (this process only) or redis://host:port/db", setting, Memory)
	}
}

func isRedis(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "redis://") || strings.HasPrefix(l, "rediss://")
}

func openLocal(ctx context.Context, org string, opts Options) (*localbudget.Store, error) {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = localbudget.DefaultDir(os.Getenv); err != nil {
			return nil, err
		}
	}
	return localbudget.Open(ctx, dir, org, localbudget.Options{Plan: opts.Plan, Logger: opts.Logger})
}

// StatusLine is one line for a header or progress line: "shared locally ·
// 2 processes", "shared via redis · 3 submitters · share 1/3", "redis
// unreachable, local share 1/3 (…)", "not shared with other abtop
// processes (…)", or "" for an in-process budget asked for.
func (b *Budget) StatusLine() string {
	switch {
	case b == nil:
		return ""
	case b.Local != nil:
		return b.Local.Status().String()
	case b.Redis != nil:
		return b.Redis.Status().String()
	case b.NotShared != nil:
		return fmt.Sprintf("not shared with other abtop processes (%v)", b.NotShared)
	}
	return ""
}

// Sharing is the budget's state for the surfaces that show it (submit's
// progress and summary, the dashboard's header, --json outputs): the local
// or Redis store's, or, when the default local store could not be used, a
// budget that is not shared with the reason in Text.
func (b *Budget) Sharing() budget.Sharing {
	switch {
	case b == nil:
		return budget.Sharing{}
	case b.Local != nil:
		return b.Local.Sharing()
	case b.Redis != nil:
		return b.Redis.Sharing()
	case b.NotShared != nil:
		return budget.Sharing{Peers: 1, Text: b.StatusLine()}
	}
	if sh, ok := b.Store.(budget.Sharer); ok {
		return sh.Sharing()
	}
	return budget.Sharing{}
}

// Close leaves the other processes sharing the budget. Idempotent.
func (b *Budget) Close() error {
	switch {
	case b == nil:
		return nil
	case b.Local != nil:
		return b.Local.Close()
	case b.Redis != nil:
		return b.Redis.Close()
	}
	if c, ok := b.Store.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// Peek reports the shared budget the setting names for a reader that does
// not spend from it (`abtop status`): the local one's live processes, or
// Redis's live submitters, without joining them. Both nil for "memory".
func Peek(ctx context.Context, setting, org string, opts Options) (*localbudget.Status, *redisbudget.Status, error) {
	setting = strings.TrimSpace(setting)
	switch {
	case setting == Memory:
		return nil, nil, nil
	case setting == "" || setting == Local:
		dir := opts.Dir
		if dir == "" {
			var err error
			if dir, err = localbudget.DefaultDir(os.Getenv); err != nil {
				return nil, nil, err
			}
		}
		st, err := localbudget.Peek(dir, org)
		if err != nil {
			return nil, nil, err
		}
		return &st, nil, nil
	case isRedis(setting):
		st, err := redisbudget.Peek(ctx, setting, org)
		return nil, st, err
	default:
		return nil, nil, fmt.Errorf("limiter %q: want nothing, %q or redis://host:port/db", setting, Memory)
	}
}
