package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/internal/localstate"
	"github.com/abtop-dev/abtop/metrics"
	"github.com/abtop-dev/abtop/watch"
)

func newWatchCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Monitor headless: keep the status line fresh, fire alerts, serve metrics",
		Long: `watch polls each profile (--profile a,b; default every profile of the config
file) within its own budget, exactly as the dashboard does, and logs one
line per poll with what watching cost. It keeps the status line state of
each profile fresh (so "abtop statusline" never has to make a request),
fires the alerts of each profile's config, and with --metrics-listen
serves Prometheus metrics on /metrics.

--once polls each profile once and exits (for cron); it exits 1 when a
poll failed. Logs go to stderr, one logfmt line per event.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			once, _ := cmd.Flags().GetBool("once")
			listen, _ := cmd.Flags().GetString("metrics-listen")
			return a.runWatch(cmd.Context(), once, listen)
		},
	}
	cmd.Flags().Bool("once", false, "poll each profile once and exit (cron)")
	cmd.Flags().String("metrics-listen", "", "serve Prometheus metrics on this address, e.g. 127.0.0.1:9464")
	cmd.Flags().Duration("poll-interval", 0, "poll each profile this often (default: each profile's poll_interval, 5s)")
	return cmd
}

func (a *app) runWatch(ctx context.Context, once bool, listen string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	log := slog.New(slog.NewTextHandler(a.errOut, nil))
	cfgs, err := a.watchProfiles()
	if err != nil {
		return err
	}
	o := watch.Options{Profiles: cfgs, Version: version, StateDir: a.stateDir(), Once: once, Log: log}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan error, 1)
	if listen != "" {
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return fmt.Errorf("watch: --metrics-listen: %w", err)
		}
		o.Metrics = metrics.New(nil)
		log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
		go func() { served <- o.Metrics.Serve(ctx, ln) }()
	} else {
		served <- nil
	}
	err = watch.Run(ctx, o)
	cancel()
	if serr := <-served; serr != nil && !errors.Is(serr, context.Canceled) {
		err = errors.Join(err, fmt.Errorf("watch: metrics: %w", serr))
	}
	return err
}

// watchProfiles loads the config of every profile to watch: --profile
// a,b, else each profile of the config file (with --sandbox, the sandbox).
func (a *app) watchProfiles() ([]config.Config, error) {
	if a.v.GetBool("sandbox") {
		cfg, err := a.loadConfig()
		return []config.Config{cfg}, err
	}
	opts := a.loadOptions()
	names := splitList(a.v.GetString("profile"))
	if len(names) == 0 {
		var err error
		if names, err = config.Profiles(opts); err != nil {
			return nil, err
		}
	}
	return a.profileConfigs(opts, names)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// stateDir is where the status line state and the alerts' shared state
// live; "" under --sandbox, whose numbers must not reach the user's
// status line, and when no state directory can be found.
func (a *app) stateDir() string {
	if a.v.GetBool("sandbox") {
		return ""
	}
	dir, err := localstate.Dir(nil)
	if err != nil {
		return ""
	}
	return dir
}
