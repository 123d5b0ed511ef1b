package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget/limiter"
	"github.com/abtop-dev/abtop/apiclient/budget/localbudget"
	"github.com/abtop-dev/abtop/apiclient/budget/redisbudget"
	"github.com/abtop-dev/abtop/apiclient/inspect"
	"github.com/abtop-dev/abtop/apiclient/plans"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
	live "github.com/abtop-dev/abtop/batches"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/session"
	"github.com/spf13/cobra"
)

func newStatusCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "One look at the token: rate limit, monthly quota, credits, running jobs",
		Long: `status makes one request per endpoint (GET /v1/balance, /v1/models and
/v1/jobs?status=running) and summarizes what the responses say: every rate
limit with its reset, the monthly write quota, the credit balance and the
running jobs against the plan's concurrency limit. Times are computed
against the server's clock (its Date header).

An API error prints the problem's title, detail and code and exits 1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, _ := cmd.Flags().GetBool("json")
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			return a.runStatus(cmd.Context(), cfg, asJSON)
		},
	}
	cmd.Flags().Bool("json", false, "print the status as one JSON object")
	cmd.Flags().String("limiter", "", "the organization's shared budget to show: empty or \"local\" (shared by the abtop processes of this machine), \"memory\" (none), redis://[user:pass@]host:port/db[?org=NAME] (config key limiter)")
	return cmd
}

// statusReport is what the three requests taught us.
type statusReport struct {
	cfg      config.Config
	balance  *apiclient.Balance
	running  *int
	snap     usage.Snapshot // the latest response with headers
	quota    *usage.Quota   // the latest quota seen
	credits  *float64
	requests []apiclient.Observation
	local    *localbudget.Status // the budget shared on this machine (the default)
	limiter  *redisbudget.Status // nil unless --limiter redis://…
	batches  []live.Record       // the org's batches other abtop processes run
	apiErr   *apiclient.Error
	otherErr error
}

// runStatus is status with the config already loaded (tests call it directly).
func (a *app) runStatus(ctx context.Context, cfg config.Config, asJSON bool) error {
	r := &statusReport{cfg: cfg}
	client, err := a.newClient(cfg, func(o apiclient.Observation) { r.requests = append(r.requests, o) })
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	// A bad limiter URL or a refused password is an error before any
	// request; an unreachable Redis is reported in the output. Peeking
	// does not join the budget: status is not counted as a process.
	if r.local, r.limiter, err = limiter.Peek(ctx, cfg.Limiter, session.DefaultOrg(cfg), limiter.Options{}); err != nil {
		return err
	}
	r.batches = runningBatches(session.DefaultOrg(cfg))
	r.collect(ctx, client)

	if asJSON {
		enc := json.NewEncoder(a.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r.json()); err != nil {
			return err
		}
		if r.otherErr != nil {
			return r.otherErr
		}
		if r.apiErr != nil {
			return exitError{code: 1}
		}
		return nil
	}
	// A summary of nothing is noise: without one successful request, the
	// error says it all.
	if r.anySuccess() {
		if err := r.human(a.out, a.outputColor(cfg.NoColor)); err != nil {
			return err
		}
	}
	if r.apiErr != nil {
		printProblem(a.errOut, r.apiErr)
		if r.otherErr != nil {
			fmt.Fprintln(a.errOut, "abtop:", r.otherErr)
		}
		return exitError{code: 1}
	}
	return r.otherErr
}

func (r *statusReport) anySuccess() bool {
	for _, o := range r.requests {
		if o.Err == nil {
			return true
		}
	}
	return false
}

// collect makes the three requests. It stops at a transport failure or an
// auth error (the next requests would fail the same way), and otherwise
// keeps what every response said.
func (r *statusReport) collect(ctx context.Context, c *apiclient.Client) {
	steps := []func() error{
		func() error {
			b, _, err := c.Balance(ctx)
			if err == nil {
				r.balance = &b
			}
			return err
		},
		func() error {
			_, _, err := c.Models(ctx)
			return err
		},
		func() error {
			jobs, _, err := c.ListJobs(ctx, apiclient.StatusRunning)
			if err == nil {
				n := len(jobs)
				r.running = &n
			}
			return err
		},
	}
	for _, step := range steps {
		err := step()
		if err == nil {
			continue
		}
		var ae *apiclient.Error
		if errors.As(err, &ae) {
			if r.apiErr == nil {
				r.apiErr = ae
			}
			if ae.Kind == problem.KindAuth {
				break
			}
			continue
		}
		r.otherErr = err
		break
	}
	for _, o := range r.requests {
		if o.Status == 0 {
			continue
		}
		if len(o.Snapshot.Limits) > 0 || r.snap.Received.IsZero() {
			r.snap = o.Snapshot
		}
		if o.Snapshot.Quota != nil {
			r.quota = o.Snapshot.Quota
		}
		if o.Snapshot.Credits != nil {
			c := *o.Snapshot.Credits
			r.credits = &c
		}
	}
	if r.balance != nil { // the balance body is authoritative
		c := r.balance.Credits
		r.credits = &c
	}
}

func (r *statusReport) human(w io.Writer, color bool) error {
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "%-14s%s\n", k, v) }
	fmt.Fprintf(&b, "abtop status · %s · profile %s · token %s", r.cfg.BaseURL, r.cfg.Profile, config.MaskToken(r.cfg.Token))
	if r.cfg.TokenSource != "" {
		fmt.Fprintf(&b, " (%s)", r.cfg.TokenSource)
	}
	b.WriteString("\n")
	s := r.snap
	if !s.ServerDate.IsZero() {
		fmt.Fprintf(&b, "server clock %s", s.ServerDate.UTC().Format(http.TimeFormat))
		if sk := s.Skew(); sk >= time.Second || sk <= -time.Second {
			dir := "ahead of"
			if sk < 0 {
				dir, sk = "behind", -sk
			}
			fmt.Fprintf(&b, " (%s %s this machine)", format.Duration(sk), dir)
		}
		b.WriteString("; resets below are counted on it\n")
	}
	b.WriteString("\n")
	if r.balance != nil && r.balance.Plan != "" {
		line("Plan", r.balance.Plan)
	}
	if r.credits != nil {
		line("Credits", format.Number(*r.credits))
	} else {
		line("Credits", "unknown")
	}
	if len(s.Limits) == 0 {
		line("Rate limit", "no rate-limit headers in the responses")
	}
	for i, l := range s.Limits {
		mark := ""
		if i == s.Binding && len(s.Limits) > 1 {
			mark = "  ◀ binding"
		}
		line(apiclient.Printable(l.Unit), inspect.LimitLine(l, color)+mark)
	}
	if r.quota != nil {
		line("Quota", inspect.QuotaLine(*r.quota, color))
	}
	if s.RetryAfter != nil {
		line("Retry-After", format.Duration(*s.RetryAfter))
	}
	if r.limiter != nil {
		line("Shared budget", limiterLine(*r.limiter))
	}
	if r.local != nil {
		line("Shared budget", fmt.Sprintf("%s · org %q", r.local, r.local.Org))
	}
	if r.running != nil {
		plan := ""
		if r.balance != nil {
			plan = r.balance.Plan
		}
		limit, known := plans.Concurrency(plan)
		switch {
		case known && limit > 0:
			line("Running jobs", fmt.Sprintf("%d / %d concurrent (%s plan)", *r.running, limit, plan))
		case known:
			line("Running jobs", fmt.Sprintf("%d (%s plan: no concurrency limit)", *r.running, plan))
		default:
			line("Running jobs", fmt.Sprintf("%d (concurrency limit unknown)", *r.running))
		}
	}
	if len(r.batches) > 0 {
		b.WriteString("\nBatches on this machine\n")
		for _, bt := range r.batches {
			b.WriteString("  " + batchLine(bt) + "\n")
		}
	}
	if len(s.Problems) > 0 {
		b.WriteString("\nProblems in the response headers\n")
		for _, p := range s.Problems {
			b.WriteString("  ⚠ " + p + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// printProblem prints an API error: title, detail, code and field errors,
// their control characters escaped (the server chose them).
func printProblem(w io.Writer, e *apiclient.Error) {
	pr := apiclient.Printable
	fmt.Fprintf(w, "abtop: %s %s failed: %d %s\n", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Title != "" {
		fmt.Fprintf(w, "  title:  %s\n", pr(e.Title))
	}
	if e.Detail != "" {
		fmt.Fprintf(w, "  detail: %s\n", pr(e.Detail))
	} else if e.Message != "" && e.Message != e.Title {
		fmt.Fprintf(w, "  message: %s\n", pr(e.Message))
	}
	if e.Code != "" {
		fmt.Fprintf(w, "  code:   %s\n", pr(e.Code))
	}
	for _, f := range e.Fields {
		fmt.Fprintf(w, "  field %s: %s\n", pr(f.Pointer), pr(f.Detail))
	}
	if e.Retryable && e.Wait > 0 {
		fmt.Fprintf(w, "  retry in %s\n", format.Duration(e.Wait))
	}
}
