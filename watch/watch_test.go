package watch

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/alerts"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/sandbox"
	"github.com/abtop-dev/abtop/statusline"
)

// org is one profile's sandbox.
type org struct {
	sb     *sandbox.Sandbox
	client *http.Client
	cfg    config.Config
}

func newOrg(t *testing.T, name string, interval time.Duration, limits *sandbox.Limits) org {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: "team", Limits: limits, Credits: 500})
	if err != nil {
		t.Fatal(err)
	}
	hc, base, stop := sb.ServeInMemory()
	t.Cleanup(stop)
	cfg := config.Config{Profile: name, BaseURL: base, Token: tok, AllowInsecureHTTP: true, PollInterval: interval,
		Timeout: 5 * time.Second, Alerts: alerts.Default(),
		Limiter: "memory"} // each profile its own in-process budget: no machine-wide files inside synctest
	cfg.Alerts.Desktop = false
	return org{sb: sb, client: hc, cfg: cfg}
}

// Three profiles against three sandboxes for ten simulated minutes: each
// polls at its own configured interval (slower when its rate budget runs
// short, as the dashboard does), none draws a 429, and the state of each
// is fresh for the status line.
func TestThreeProfilesKeepTheirPollShare(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		orgs := map[string]org{
			"fast": newOrg(t, "fast", 2*time.Second, nil),
			"slow": newOrg(t, "slow", 15*time.Second, nil),
			// 20 requests a minute: at a 1 s interval the cadence must slow
			// down, and the budget keep polls off the server's 429.
			"tight": newOrg(t, "tight", time.Second, &sandbox.Limits{Requests: 20, Points: 100, Concurrency: 2, DailyWrites: 100, MonthlyWrites: 1000}),
		}
		dir := t.TempDir()
		var logs bytes.Buffer
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
		defer cancel()
		var cfgs []config.Config
		for _, n := range []string{"fast", "slow", "tight"} {
			cfgs = append(cfgs, orgs[n].cfg)
		}
		start := time.Now()
		err := Run(ctx, Options{Profiles: cfgs, StateDir: dir, Log: slog.New(slog.NewTextHandler(&logs, nil)),
			HTTPClient: func(c config.Config) *http.Client { return orgs[c.Profile].client }})
		if err != nil {
			t.Fatal(err)
		}
		elapsed := time.Since(start)
		for name, o := range orgs {
			st := o.sb.Stats()
			share := int64(elapsed/o.cfg.PollInterval) + 1
			t.Logf("%s: %d requests in %s (interval %s: at most %d), 429s %d", name, st.Requests, elapsed, o.cfg.PollInterval, share, st.TooManyRequests)
			if st.Requests > share {
				t.Errorf("%s: %d requests, more than its share %d", name, st.Requests, share)
			}
			if st.TooManyRequests != 0 {
				t.Errorf("%s: %d 429s", name, st.TooManyRequests)
			}
			path, _ := statusline.Path(dir, name)
			if s, err := statusline.Read(path); err != nil || s.Remaining == nil {
				t.Errorf("%s: status line state %+v %v", name, s, err)
			}
		}
		// Unthrottled profiles poll at their interval (not much less either).
		for _, name := range []string{"fast", "slow"} {
			if got, least := orgs[name].sb.Stats().Requests, int64(elapsed/orgs[name].cfg.PollInterval)*9/10; got < least {
				t.Errorf("%s: only %d polls, want ≥ %d", name, got, least)
			}
		}
		// The tight profile slowed down: under a quarter left, 2× or 4×.
		if got := orgs["tight"].sb.Stats().Requests; got > int64(elapsed/time.Minute)*20 || got >= int64(elapsed/time.Second)/2 {
			t.Errorf("tight: %d polls in %s: did not slow down", got, elapsed)
		}
		if !strings.Contains(logs.String(), "own_requests=") || !strings.Contains(logs.String(), "profile=tight") {
			t.Errorf("log: %.400s", logs.String())
		}
	})
}
