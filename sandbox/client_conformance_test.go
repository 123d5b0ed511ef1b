package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/sandbox"
)

// The acceptance suite of issue 3: the sandbox driven through the real
// apiclient, row by row of API.md's tables. Each case runs in its own
// synctest bubble, so windows, quotas and job lifecycles take no wall time.

type clientEnv struct {
	*env
	c *apiclient.Client
}

// clientEpoch moves the bubble's clock from 2000-01-01 to 2026-01-01: the
// client's header parser reads Unix seconds below 1e9 (before 2001) as
// delta-seconds, and real resets are never that old.
const clientEpoch = (26*365 + 7) * 24 * time.Hour // 26 years and the 7 leap days 2000–2024

func clientNow() time.Time { return time.Now().Add(clientEpoch) }

func newClientEnv(t *testing.T, opts sandbox.Options, org sandbox.OrgOptions) *clientEnv {
	t.Helper()
	opts.Now = clientNow
	e := newEnv(t, opts, org)
	c, err := apiclient.New(apiclient.Options{BaseURL: e.base, Token: e.tok, HTTPClient: e.client, Version: "test",
		Timeout: 30 * time.Second, Now: clientNow})
	if err != nil {
		t.Fatalf("apiclient.New: %v", err)
	}
	return &clientEnv{env: e, c: c}
}

func flux(prompt string) apiclient.JobRequest {
	in, _ := json.Marshal(map[string]string{"prompt": prompt})
	return apiclient.JobRequest{Model: "flux-schnell", Input: in}
}

func apiErr(t *testing.T, err error) *apiclient.Error {
	t.Helper()
	var ae *apiclient.Error
	if !errors.As(err, &ae) {
		t.Fatalf("err %v (%T): want *apiclient.Error", err, err)
	}
	return ae
}

// Every endpoint, every dialect: the snapshot has the rate limit with its
// reset (whatever the format), the quota, the credits and the server clock.
func TestClientSnapshotOnEveryEndpoint(t *testing.T) {
	for _, d := range sandbox.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newClientEnv(t, sandbox.Options{Dialect: d, Window: 10 * time.Second}, sandbox.OrgOptions{Plan: sandbox.PlanTeam, Credits: 50})
				ctx := context.Background()
				time.Sleep(4 * time.Second) // 6 s left in the window
				var metas []apiclient.Meta
				add := func(name string, m apiclient.Meta, err error) {
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					metas = append(metas, m)
				}
				b, m, err := e.c.Balance(ctx)
				add("Balance", m, err)
				if b.Credits != 50 || b.Plan != "team" {
					t.Errorf("balance %+v", b)
				}
				models, m, err := e.c.Models(ctx)
				add("Models", m, err)
				if !slices.ContainsFunc(models, func(x apiclient.Model) bool { return x.ID == "flux-schnell" && x.Credits == 1 && x.Kind == "image" }) {
					t.Errorf("models %+v lack flux-schnell at 1 credit", models)
				}
				j, m, err := e.c.CreateJob(ctx, flux("a fox"), "key-1")
				add("CreateJob", m, err)
				_, m, err = e.c.GetJob(ctx, j.ID)
				add("GetJob", m, err)
				list, m, err := e.c.ListJobs(ctx, apiclient.StatusQueued)
				add("ListJobs", m, err)
				if len(list) != 1 || list[0].ID != j.ID {
					t.Errorf("queued jobs %+v", list)
				}
				c, m, err := e.c.CancelJob(ctx, j.ID, "key-2")
				add("CancelJob", m, err)
				if c.Status != apiclient.StatusCanceled || !c.Finished() {
					t.Errorf("canceled job %+v", c)
				}
				for i, m := range metas {
					s := m.Snapshot
					l, ok := s.BindingLimit()
					if !ok || l.Limit == nil || l.Remaining == nil || l.ResetAfter == nil {
						t.Fatalf("call %d: no complete binding limit in %+v", i, s)
					}
					if *l.ResetAfter != 6*time.Second {
						t.Errorf("call %d: reset after %v, want 6s", i, *l.ResetAfter)
					}
					if s.Quota == nil || s.Quota.Limit == nil || *s.Quota.Limit != 25000 {
						t.Errorf("call %d: quota %+v", i, s.Quota)
					}
					if s.Credits == nil || s.ServerDate.IsZero() || len(s.Problems) > 0 {
						t.Errorf("call %d: credits %v date %v problems %v", i, s.Credits, s.ServerDate, s.Problems)
					}
				}
				if got := *metas[len(metas)-1].Snapshot.Credits; got != 50 {
					t.Errorf("credits after create+cancel = %v, want 50 (refunded)", got)
				}
			})
		})
	}
}

// Each error code with its status, as the client classifies it.
func TestClientErrorCodes(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		code      string
		status    int
		kind      problem.Kind
		exhausted problem.Exhaustion
		plan      string
		opts      sandbox.Options
		call      func(e *clientEnv) error
	}{
		{"unauthorized", 401, problem.KindAuth, "", "", sandbox.Options{}, func(e *clientEnv) error {
			_ = e.sb.RevokeToken(e.tok)
			_, _, err := e.c.Balance(ctx)
			return err
		}},
		{"not_found", 404, problem.KindOther, "", "", sandbox.Options{}, func(e *clientEnv) error {
			_, _, err := e.c.GetJob(ctx, "job_missing")
			return err
		}},
		{"insufficient_credits", 402, problem.KindCredits, problem.ExhaustedCredits, "", sandbox.Options{}, func(e *clientEnv) error {
			_ = e.sb.SetCredits(e.org, 0)
			_, _, err := e.c.CreateJob(ctx, flux("x"), "")
			return err
		}},
		{"plan_required", 402, problem.KindPlan, "", sandbox.PlanPro, sandbox.Options{}, func(e *clientEnv) error {
			_, _, err := e.c.CreateJob(ctx, apiclient.JobRequest{Model: "sora-2-pro", Input: json.RawMessage(`{"prompt":"x","duration":4}`)}, "")
			return err
		}},
		{"rate_limit_exceeded", 429, problem.KindRateLimit, "", sandbox.PlanFree, sandbox.Options{}, func(e *clientEnv) error {
			for range 10 {
				_, _, _ = e.c.Balance(ctx)
			}
			_, _, err := e.c.Balance(ctx)
			return err
		}},
		{"quota_exceeded", 429, problem.KindQuota, problem.ExhaustedQuota, "", sandbox.Options{}, func(e *clientEnv) error {
			_ = e.sb.SetLimits(e.org, sandbox.Limits{Requests: 60, Points: 300, MonthlyWrites: 1})
			_, _, _ = e.c.CreateJob(ctx, flux("x"), "")
			_, _, err := e.c.CreateJob(ctx, flux("y"), "")
			return err
		}},
		{"invalid_request", 400, problem.KindOther, "", "", sandbox.Options{}, func(e *clientEnv) error {
			_, _, err := e.c.CreateJob(ctx, flux("x"), strings.Repeat("k", 300)) // the key is too long
			return err
		}},
		{"validation_failed", 422, problem.KindOther, "", "", sandbox.Options{}, func(e *clientEnv) error {
			_, _, err := e.c.CreateJob(ctx, apiclient.JobRequest{Model: "kling-2.6", Input: json.RawMessage(`{"duration":7}`)}, "")
			return err
		}},
		{"idempotency_mismatch", 422, problem.KindOther, "", "", sandbox.Options{}, func(e *clientEnv) error {
			_, _, _ = e.c.CreateJob(ctx, flux("x"), "k")
			_, _, err := e.c.CreateJob(ctx, flux("y"), "k")
			return err
		}},
		{"conflict", 409, problem.KindConflict, "", "", sandbox.Options{}, func(e *clientEnv) error {
			j, _, _ := e.c.CreateJob(ctx, flux("x"), "")
			time.Sleep(time.Second)
			_, _, err := e.c.CancelJob(ctx, j.ID, "")
			return err
		}},
		{"internal_error", 500, problem.KindServer, "", "", sandbox.Options{Faults: sandbox.Faults{sandbox.Fault500: 1}}, func(e *clientEnv) error {
			_, _, err := e.c.Balance(ctx)
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				plan := c.plan
				if plan == "" {
					plan = sandbox.PlanTeam
				}
				e := newClientEnv(t, c.opts, sandbox.OrgOptions{Plan: plan, Credits: 100})
				ae := apiErr(t, c.call(e))
				if ae.Code != c.code || ae.Status != c.status || ae.Kind != c.kind || ae.Exhausted != c.exhausted {
					t.Errorf("got %d %s kind %v exhausted %q, want %d %s kind %v exhausted %q (%v)",
						ae.Status, ae.Code, ae.Kind, ae.Exhausted, c.status, c.code, c.kind, c.exhausted, ae)
				}
				if ae.Snapshot.ServerDate.IsZero() || len(ae.Snapshot.Limits) == 0 {
					t.Errorf("the error response taught nothing: %+v", ae.Snapshot)
				}
				switch c.code {
				case "validation_failed":
					var ptrs []string
					for _, f := range ae.Fields {
						ptrs = append(ptrs, f.Pointer)
					}
					if !slices.Equal(ptrs, []string{"/input/duration", "/input/prompt"}) {
						t.Errorf("field pointers %v", ptrs)
					}
				case "rate_limit_exceeded":
					if !ae.Retryable || ae.Wait != time.Minute {
						t.Errorf("retryable %v wait %v, want retryable after the 1m window", ae.Retryable, ae.Wait)
					}
				case "quota_exceeded":
					if want := 31 * 24 * time.Hour; ae.Wait != want {
						t.Errorf("wait %v, want %v (until 1 Feb)", ae.Wait, want)
					}
				case "internal_error":
					if !ae.Retryable {
						t.Error("a 500 is not retryable")
					}
				}
			})
		})
	}
}

// Idempotent replay through the client: same job, Replayed, no charge.
func TestClientIdempotentReplay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newClientEnv(t, sandbox.Options{}, sandbox.OrgOptions{Credits: 10})
		ctx := context.Background()
		a, m1, err := e.c.CreateJob(ctx, flux("x"), "same")
		if err != nil {
			t.Fatal(err)
		}
		b, m2, err := e.c.CreateJob(ctx, flux("x"), "same")
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != b.ID || m1.Replayed || !m2.Replayed || m2.Status != 201 || *m2.Snapshot.Credits != 9 {
			t.Errorf("first %s %+v, replay %s %+v: want the same job, Replayed only on the replay, 9 credits", a.ID, m1, b.ID, m2)
		}
	})
}

// Concurrency: queued server-side (abstrakt), rejected 429 (predictions).
func TestClientConcurrency(t *testing.T) {
	ctx := context.Background()
	synctest.Test(t, func(t *testing.T) {
		e := newClientEnv(t, sandbox.Options{}, sandbox.OrgOptions{Plan: sandbox.PlanFree, Credits: 10})
		for range 3 {
			if _, _, err := e.c.CreateJob(ctx, flux("x"), ""); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Second)
		running, _, _ := e.c.ListJobs(ctx, apiclient.StatusRunning)
		queued, _, _ := e.c.ListJobs(ctx, apiclient.StatusQueued)
		if len(running) != 2 || len(queued) != 1 {
			t.Errorf("%d running, %d queued; want 2 and 1 on the Free plan", len(running), len(queued))
		}
	})
	synctest.Test(t, func(t *testing.T) {
		e := newClientEnv(t, sandbox.Options{Dialect: sandbox.DialectPredictions}, sandbox.OrgOptions{Credits: 10,
			Limits: &sandbox.Limits{Requests: 60, Points: 300, Concurrency: 2}})
		for range 2 {
			_, _, _ = e.c.CreateJob(ctx, flux("x"), "")
		}
		_, _, err := e.c.CreateJob(ctx, flux("x"), "")
		ae := apiErr(t, err)
		if ae.Status != 429 || ae.Kind != problem.KindConcurrency || !ae.Retryable || ae.Wait <= 0 {
			t.Errorf("%v: want a retryable 429 concurrency error with a wait", ae)
		}
		if ae.Problem == nil || ae.Problem.Shape != "nested-error" {
			t.Errorf("problem %+v: want the nested-error shape", ae.Problem)
		}
	})
}

// Each fault kind surfaces as the right client error.
func TestClientFaults(t *testing.T) {
	cases := []struct {
		kind  sandbox.FaultKind
		check func(t *testing.T, m apiclient.Meta, err error)
	}{
		{sandbox.Fault500, func(t *testing.T, _ apiclient.Meta, err error) {
			if ae := apiErr(t, err); ae.Kind != problem.KindServer || ae.Code != "internal_error" {
				t.Errorf("%v", ae)
			}
		}},
		{sandbox.Fault502, func(t *testing.T, _ apiclient.Meta, err error) {
			if ae := apiErr(t, err); ae.Status != 502 || ae.Kind != problem.KindServer || !ae.Retryable || ae.Problem.Shape != "html" {
				t.Errorf("%v shape %s", ae, ae.Problem.Shape)
			}
		}},
		{sandbox.Fault503, func(t *testing.T, _ apiclient.Meta, err error) {
			if ae := apiErr(t, err); ae.Status != 503 || !ae.Retryable || ae.Wait != 5*time.Second {
				t.Errorf("%v wait %v: want retryable after 5s", ae, ae.Wait)
			}
		}},
		{sandbox.FaultDrop, func(t *testing.T, _ apiclient.Meta, err error) {
			var te *apiclient.TransportError
			if !errors.As(err, &te) || te.Timeout {
				t.Errorf("%v: want a non-timeout TransportError", err)
			}
		}},
		{sandbox.FaultStall, func(t *testing.T, _ apiclient.Meta, err error) {
			var te *apiclient.TransportError
			if !errors.As(err, &te) || !te.Timeout {
				t.Errorf("%v: want a timeout TransportError", err)
			}
		}},
		{sandbox.FaultTruncate, func(t *testing.T, _ apiclient.Meta, err error) {
			var te *apiclient.TransportError
			if !errors.As(err, &te) {
				t.Errorf("%v: want a TransportError", err)
			}
		}},
		{sandbox.FaultBadHeaders, func(t *testing.T, m apiclient.Meta, err error) {
			if err != nil || len(m.Snapshot.Problems) == 0 {
				t.Errorf("err %v problems %v: want success with the garbage reported", err, m.Snapshot.Problems)
			}
		}},
		{sandbox.FaultNoHeaders, func(t *testing.T, m apiclient.Meta, err error) {
			if err != nil || len(m.Snapshot.Limits) != 0 || m.Snapshot.Credits != nil || m.Snapshot.Quota != nil {
				t.Errorf("err %v snapshot %+v: want success and nothing learned", err, m.Snapshot)
			}
		}},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newClientEnv(t, sandbox.Options{Faults: sandbox.Faults{c.kind: 1}}, sandbox.OrgOptions{Credits: 10})
				_, m, err := e.c.CreateJob(context.Background(), flux("x"), "fault-key")
				c.check(t, m, err)
			})
		})
	}
}

// The rate limit in every dialect: the client reads the 429 (problem+json
// Retry-After with an HTTP-date or Unix reset, or a points budget) as a
// retryable wait that, obeyed, succeeds without a violation.
func TestClientRateLimitPerDialect(t *testing.T) {
	for _, d := range sandbox.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newClientEnv(t, sandbox.Options{Dialect: d, Window: 20 * time.Second},
					sandbox.OrgOptions{Limits: &sandbox.Limits{Requests: 3, Points: 3}})
				ctx := context.Background()
				time.Sleep(5 * time.Second)
				var err error
				for range 4 {
					if _, _, err = e.c.Balance(ctx); err != nil {
						break
					}
				}
				ae := apiErr(t, err)
				if ae.Status != 429 || ae.Kind != problem.KindRateLimit || !ae.Retryable || ae.Wait != 15*time.Second {
					t.Fatalf("%v (kind %v, wait %v): want a retryable rate limit, wait 15s", ae, ae.Kind, ae.Wait)
				}
				if l, ok := ae.Snapshot.BindingLimit(); !ok || *l.Remaining != 0 || *l.ResetAfter != 15*time.Second {
					t.Errorf("binding limit %+v: want 0 left, reset in 15s", l)
				}
				time.Sleep(ae.Wait)
				if _, m, err := e.c.Balance(ctx); err != nil || *m.Snapshot.Limits[0].Remaining != 2 {
					t.Errorf("after the wait: %v, want success with a fresh window", err)
				}
				if v := e.sb.Stats().RetryAfterViolations; v != 0 {
					t.Errorf("%d retry-after violations", v)
				}
			})
		})
	}
}

// /v1/models says what each model reads and which plan it needs, so the
// add-job form asks tts-1 for "text" and marks video models above the plan.
func TestClientModelsListInputsAndPlans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newClientEnv(t, sandbox.Options{}, sandbox.OrgOptions{Plan: sandbox.PlanFree, Credits: 50})
		models, _, err := e.c.Models(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][2]string{"tts-1": {"text", ""}, "flux-schnell": {"prompt", ""}, "kling-2.6": {"prompt", "pro"}}
		for _, m := range models {
			w, ok := want[m.ID]
			if !ok {
				continue
			}
			delete(want, m.ID)
			if len(m.Inputs) == 0 || m.MainInput() != w[0] || m.MinPlan != w[1] {
				t.Errorf("%s: inputs %+v (main %q), min_plan %q; want main %q, min_plan %q", m.ID, m.Inputs, m.MainInput(), m.MinPlan, w[0], w[1])
			}
		}
		if len(want) > 0 {
			t.Errorf("models missing: %v", want)
		}
	})
}
