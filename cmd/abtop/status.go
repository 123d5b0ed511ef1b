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
	"github.com/abtop-dev/abtop/apiclient/budget/redisbudget"
	"github.com/abtop-dev/abtop/apiclient/inspect"
	"github.com/abtop-dev/abtop/apiclient/plans"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
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
	cmd.Flags().String("limiter", "", "also show the organization's budget shared through Redis: redis://[user:pass@]host:port/db[?org=NAME] (config key limiter)")
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
	limiter  *redisbudget.Status // nil without --limiter
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
	// request; an unreachable Redis is reported in the output.
	if r.limiter, err = redisbudget.Peek(ctx, cfg.Limiter, session.DefaultOrg(cfg)); err != nil {
		return err
	}
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

type statusJSON struct {
	BaseURL          string              `json:"base_url"`
	Profile          string              `json:"profile"`
	Token            string              `json:"token"`
	Plan             *string             `json:"plan"`
	Credits          *float64            `json:"credits"`
	Limits           []inspect.LimitJSON `json:"limits"`
	Binding          *int                `json:"binding"`
	Quota            *inspect.QuotaJSON  `json:"quota"`
	RetryAfterS      *float64            `json:"retry_after_s"`
	ServerDate       *time.Time          `json:"server_date"`
	ClockSkewS       *float64            `json:"clock_skew_s"`
	RunningJobs      *int                `json:"running_jobs"`
	ConcurrencyLimit *int                `json:"concurrency_limit"`
	Problems         []string            `json:"header_problems"`
	Limiter          *redisbudget.Status `json:"limiter"` // null: the budget is in-process
	Requests         []statusRequestJSON `json:"requests"`
	Error            *statusErrorJSON    `json:"error"`
}

type statusRequestJSON struct {
	Method    string  `json:"method"`
	Path      string  `json:"path"`
	Status    int     `json:"status"`
	LatencyMS float64 `json:"latency_ms"`
	Error     *string `json:"error"`
}

type statusErrorJSON struct {
	// Kind is "api" (the server answered with an error) or "network" (no
	// answer: refused, timed out, reset); Message says it in words.
	Kind      string               `json:"kind"`
	Status    int                  `json:"status"`
	Code      *string              `json:"code"`
	Title     string               `json:"title"`
	Detail    string               `json:"detail"`
	Message   string               `json:"message"`
	Fields    []problem.FieldError `json:"fields"`
	Retryable bool                 `json:"retryable"`
	WaitS     float64              `json:"wait_s"`
}

func (r *statusReport) json() statusJSON {
	s := r.snap
	out := statusJSON{
		BaseURL:     r.cfg.BaseURL,
		Profile:     r.cfg.Profile,
		Token:       config.MaskToken(r.cfg.Token),
		Credits:     r.credits,
		Limits:      inspect.Limits(s),
		Binding:     inspect.Binding(s),
		RetryAfterS: inspect.Seconds(s.RetryAfter),
		RunningJobs: r.running,
		Problems:    append([]string{}, s.Problems...),
		Limiter:     r.limiter,
		Requests:    []statusRequestJSON{},
	}
	if r.quota != nil {
		out.Quota = inspect.Quota(usage.Snapshot{Quota: r.quota})
	}
	if !s.ServerDate.IsZero() {
		d := s.ServerDate.UTC()
		sk := s.Skew().Seconds()
		out.ServerDate, out.ClockSkewS = &d, &sk
	}
	if r.balance != nil && r.balance.Plan != "" {
		p := r.balance.Plan
		out.Plan = &p
		if limit, ok := plans.Concurrency(p); ok && limit > 0 {
			out.ConcurrencyLimit = &limit
		}
	}
	for _, o := range r.requests {
		rq := statusRequestJSON{Method: o.Method, Path: o.Path, Status: o.Status, LatencyMS: float64(o.Latency.Microseconds()) / 1000}
		if o.Err != nil {
			msg := o.Err.Error()
			rq.Error = &msg
		}
		out.Requests = append(out.Requests, rq)
	}
	if e := r.apiErr; e != nil {
		ej := &statusErrorJSON{Kind: "api", Status: e.Status, Title: e.Title, Detail: e.Detail, Message: e.Message,
			Fields: append([]problem.FieldError{}, e.Fields...), Retryable: e.Retryable, WaitS: e.Wait.Seconds()}
		if e.Code != "" {
			c := e.Code
			ej.Code = &c
		}
		out.Error = ej
	} else if r.otherErr != nil {
		out.Error = &statusErrorJSON{Kind: "network", Message: networkLine(r.otherErr), Fields: []problem.FieldError{}}
	}
	return out
}

// limiterLine is status's view of the shared budget: how many submitters
// split the org's limits right now (status itself does not count).
func limiterLine(st redisbudget.Status) string {
	if !st.Connected {
		return fmt.Sprintf("redis unreachable (%s): submitters fall back to a local share · org %q · %s", st.Error, st.Org, st.URL)
	}
	if st.Peers == 0 {
		return fmt.Sprintf("shared via redis · no submitter running · org %q · %s", st.Org, st.URL)
	}
	return fmt.Sprintf("shared via redis · %d %s · share 1/%d each · org %q · %s", st.Peers, format.Plural(st.Peers, "submitter", "submitters"), st.Peers, st.Org, st.URL)
}

// networkLine is a failed request in words: "GET /v1/balance: connection
// refused", not Go's "dial tcp 127.0.0.1:1: connect: connection refused".
func networkLine(err error) string {
	var te *apiclient.TransportError
	if errors.As(err, &te) {
		return te.Method + " " + te.Path + ": " + apiclient.Cause(err)
	}
	return apiclient.Cause(err)
}
