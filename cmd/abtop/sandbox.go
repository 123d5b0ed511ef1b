package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
	"github.com/spf13/cobra"
)

// sandboxFlags are the knobs of "abtop sandbox".
type sandboxFlags struct {
	listen  string
	plan    string
	window  time.Duration
	dialect string
	faults  string
	seed    uint64
	credits float64
	traffic bool
}

func newSandboxCmd(a *app) *cobra.Command {
	var f sandboxFlags
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve a fake abstrakt /v1 API on a loopback port, with a ready token",
		Long: `Serve a faithful fake of the abstrakt /v1 API (rate windows, monthly quota,
credits, queued jobs, idempotency) so abtop can be tried without an account.
It prints the base URL, a token and an example command, logs one line per
request to stderr, and stops on ctrl+c.

--faults injects failures into a fraction of requests: a single fraction
spread over every kind ("0.1"), or kind=fraction pairs
("500=0.05,drop=0.02"). Kinds: 500 (internal_error), 502 and 503 (HTML
proxy pages), drop (connection closed after processing), stall (no answer
for minutes), truncate (short body), badheaders (garbage rate headers),
noheaders (no rate headers).

--dialect: abstrakt (HTTP-date resets), abstrakt-unix (Unix-seconds
resets), predictions (concurrency rejected with 429), points (an org-wide
points budget, 1–10 points a request).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runSandbox(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:0", "address to listen on (port 0 picks a free one)")
	fl.StringVar(&f.plan, "plan", sandbox.PlanTeam, "plan of the organization: free, pro, team, business or enterprise")
	fl.DurationVar(&f.window, "window", time.Minute, "rate-limit window length (whole seconds)")
	fl.StringVar(&f.dialect, "dialect", string(sandbox.DialectAbstrakt), "abstrakt, abstrakt-unix, predictions or points")
	fl.StringVar(&f.faults, "faults", "", `fault injection: "0.1" or "500=0.05,drop=0.02,…" (off by default)`)
	fl.Uint64Var(&f.seed, "seed", 1, "seed for ids, job timings and faults (same seed, same run)")
	fl.Float64Var(&f.credits, "credits", 1000, "starting credit balance")
	fl.BoolVar(&f.traffic, "traffic", false, "add a simulated second client spending the same budget")
	return cmd
}

// newSandbox builds a sandbox with one org and its token from the flags.
func newSandbox(f sandboxFlags, logger *slog.Logger) (*sandbox.Sandbox, string, string, error) {
	dialect, err := sandbox.ParseDialect(f.dialect)
	if err != nil {
		return nil, "", "", fmt.Errorf("--dialect: %w", err)
	}
	faults, err := sandbox.ParseFaults(f.faults)
	if err != nil {
		return nil, "", "", fmt.Errorf("--faults: %w", err)
	}
	sb, err := sandbox.New(sandbox.Options{Window: f.window, Dialect: dialect, Faults: faults, Seed: f.seed, Logger: logger})
	if err != nil {
		return nil, "", "", err
	}
	orgID, tok, err := sb.Bootstrap(sandbox.OrgOptions{Name: "sandbox", Plan: f.plan, Credits: f.credits})
	if err != nil {
		return nil, "", "", err
	}
	return sb, orgID, tok, nil
}

// trafficFraction is the share of the window the simulated client spends.
const trafficFraction = 0.3

func (a *app) runSandbox(ctx context.Context, f sandboxFlags) error {
	logger := slog.New(slog.NewTextHandler(a.errOut, nil))
	sb, orgID, tok, err := newSandbox(f, logger)
	if err != nil {
		return err
	}
	baseURL, stop, err := sb.Start(f.listen)
	if err != nil {
		return err
	}
	if f.traffic {
		stopTraffic, err := sb.StartTraffic(ctx, orgID, trafficFraction)
		if err != nil {
			return err
		}
		defer stopTraffic()
	}
	// The token is printed in full on purpose: it is a fake, valid only for
	// this sandbox process, and the user needs it to point abtop here.
	fmt.Fprintf(a.out, "abtop sandbox: %s (plan %s, window %v, dialect %s, faults %s)\n",
		baseURL, f.plan, f.window, f.dialect, faultsText(f.faults))
	fmt.Fprintf(a.out, "base URL: %s\n", baseURL)
	fmt.Fprintf(a.out, "token:    %s\n", tok)
	fmt.Fprintf(a.out, "try:      ABTOP_BASE_URL=%s ABTOP_TOKEN=%s abtop status\n", baseURL, tok)
	fmt.Fprintf(a.out, "stats:    curl -s %s/_sandbox/stats\n", baseURL)
	fmt.Fprintln(a.out, "press ctrl+c to stop")

	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := stop(shutdown); err != nil {
		return fmt.Errorf("stopping the sandbox: %w", err)
	}
	fmt.Fprintln(a.out, "sandbox stopped")
	return nil
}

func faultsText(spec string) string {
	if spec == "" {
		return "off"
	}
	return spec
}

// Embedded sandbox settings: a short window and faster jobs so the
// dashboard moves within seconds of starting.
const (
	embeddedWindow  = 10 * time.Second
	embeddedCredits = 5000
	embeddedSpeed   = 0.25
)

// startEmbeddedSandbox starts an in-process sandbox on a loopback port for
// --sandbox, registers its shutdown in a.cleanups, and returns its base URL
// and a valid token. traffic adds a simulated second client. It logs
// nothing: a request log on the terminal would corrupt the TUI.
func (a *app) startEmbeddedSandbox(ctx context.Context, traffic bool) (baseURL, token string, err error) {
	sb, err := sandbox.New(sandbox.Options{Window: embeddedWindow, JobTimeScale: embeddedSpeed, FailureRate: 0.05,
		Seed: uint64(time.Now().UnixNano())}) // no Logger: nothing reaches the terminal
	if err != nil {
		return "", "", err
	}
	orgID, token, err := sb.Bootstrap(sandbox.OrgOptions{Name: "sandbox", Plan: sandbox.PlanTeam, Credits: embeddedCredits})
	if err != nil {
		return "", "", err
	}
	baseURL, stop, err := sb.Start("127.0.0.1:0")
	if err != nil {
		return "", "", err
	}
	stopTraffic := func() {}
	if traffic {
		if stopTraffic, err = sb.StartTraffic(ctx, orgID, trafficFraction); err != nil {
			_ = stop(context.Background())
			return "", "", err
		}
	}
	a.cleanups = append(a.cleanups, func() {
		stopTraffic()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = stop(shutdown) // nothing useful to do with a shutdown error at exit
	})
	return baseURL, token, nil
}
