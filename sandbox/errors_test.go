package sandbox_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

// Every row of API.md's error table is reachable, with its status, the
// problem+json members and Content-Type.
func TestEveryErrorCode(t *testing.T) {
	cases := []struct {
		code   string
		status int
		plan   string
		setup  func(e *env) (method, path, body string, h hdr)
	}{
		{"unauthorized", 401, "", func(e *env) (string, string, string, hdr) {
			return "GET", "/v1/balance", "", hdr{"Authorization": ""}
		}},
		{"not_found", 404, "", func(e *env) (string, string, string, hdr) {
			return "GET", "/v1/jobs/job_missing", "", nil
		}},
		{"insufficient_credits", 402, "", func(e *env) (string, string, string, hdr) {
			if err := e.sb.SetCredits(e.org, 0.5); err != nil {
				e.t.Fatal(err)
			}
			return "POST", "/v1/jobs", fluxBody, nil
		}},
		{"plan_required", 402, sandbox.PlanFree, func(e *env) (string, string, string, hdr) {
			return "POST", "/v1/jobs", `{"model":"kling-2.6","input":{"prompt":"waves","duration":5}}`, nil
		}},
		{"rate_limit_exceeded", 429, sandbox.PlanFree, func(e *env) (string, string, string, hdr) {
			for range 10 {
				e.do("GET", "/v1/balance", "", nil)
			}
			return "GET", "/v1/balance", "", nil
		}},
		{"quota_exceeded", 429, sandbox.PlanFree, func(e *env) (string, string, string, hdr) {
			if err := e.sb.SetLimits(e.org, sandbox.Limits{Requests: 10, Points: 100, DailyWrites: 1}); err != nil {
				e.t.Fatal(err)
			}
			e.createJob(fluxBody, nil)
			return "POST", "/v1/jobs", fluxBody, nil
		}},
		{"invalid_request", 400, "", func(e *env) (string, string, string, hdr) {
			return "POST", "/v1/jobs", `{"model":`, nil
		}},
		{"validation_failed", 422, "", func(e *env) (string, string, string, hdr) {
			return "POST", "/v1/jobs", `{"model":"flux-schnell","input":{}}`, nil
		}},
		{"idempotency_mismatch", 422, "", func(e *env) (string, string, string, hdr) {
			e.createJob(fluxBody, hdr{"Idempotency-Key": "k1"})
			return "POST", "/v1/jobs", `{"model":"flux-dev","input":{"prompt":"other"}}`, hdr{"Idempotency-Key": "k1"}
		}},
		{"conflict", 409, "", func(e *env) (string, string, string, hdr) {
			id := e.createJob(fluxBody, nil)
			time.Sleep(time.Second) // started after the 500 ms start delay
			return "POST", "/v1/jobs/" + id + "/cancel", "", nil
		}},
		{"internal_error", 500, "", func(e *env) (string, string, string, hdr) {
			return "GET", "/v1/balance", "", nil // every request faults
		}},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				plan := c.plan
				if plan == "" {
					plan = sandbox.PlanTeam
				}
				opts := sandbox.Options{}
				if c.code == "internal_error" {
					opts.Faults = sandbox.Faults{sandbox.Fault500: 1}
				}
				e := newEnv(t, opts, sandbox.OrgOptions{Plan: plan, Credits: 100})
				method, path, body, h := c.setup(e)
				r := e.do(method, path, body, h)
				if r.status != c.status {
					t.Fatalf("status %d, want %d\n%s", r.status, c.status, r.body)
				}
				wantHeader(t, r.header, "Content-Type", "application/problem+json")
				var p struct {
					Type, Title, Detail, Instance, Code string
					Status                              int
				}
				if err := json.Unmarshal(r.body, &p); err != nil {
					t.Fatalf("body: %v\n%s", err, r.body)
				}
				if p.Code != c.code || p.Status != c.status || p.Title == "" || p.Detail == "" ||
					!strings.HasSuffix(p.Type, "/"+c.code) || p.Instance != path {
					t.Errorf("problem = %+v, want code %s status %d, a title, a detail, instance %s", p, c.code, c.status, path)
				}
				if c.status == 429 && r.header.Get("Retry-After") == "" {
					t.Error("429 without Retry-After")
				}
			})
		})
	}
}

// validation_failed lists every field error with a JSON pointer into the
// request, sorted by pointer.
func TestValidationPointers(t *testing.T) {
	type fe struct{ Pointer, Detail string }
	cases := []struct {
		name     string
		body     string
		pointers []string
	}{
		{"missing prompt", `{"model":"flux-schnell","input":{}}`, []string{"/input/prompt"}},
		{"unknown model", `{"model":"dall-e-9","input":{"prompt":"x"}}`, []string{"/model"}},
		{"missing model and input", `{}`, []string{"/input", "/model"}},
		{"bad duration", `{"model":"kling-2.6","input":{"prompt":"x","duration":7}}`, []string{"/input/duration"}},
		{"wrong types", `{"model":"sdxl","input":{"prompt":5,"width":"big"}}`, []string{"/input/prompt", "/input/width"}},
		{"out of range and unknown field", `{"model":"flux-dev","input":{"prompt":"x","num_images":9,"style":"noir"}}`, []string{"/input/num_images", "/input/style"}},
		{"input not an object", `{"model":"flux-dev","input":"x"}`, []string{"/input"}},
		{"unknown top-level field", `{"model":"tts-1","input":{"text":"hi"},"webhook":"x"}`, []string{"/webhook"}},
		{"bad voice", `{"model":"tts-1","input":{"text":"hi","voice":"robot"}}`, []string{"/input/voice"}},
		{"empty text", `{"model":"tts-1","input":{"text":"  "}}`, []string{"/input/text"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, sandbox.Options{}, sandbox.OrgOptions{Plan: sandbox.PlanEnterprise, Credits: 100})
				r := e.do("POST", "/v1/jobs", c.body, nil)
				if r.status != 422 || r.code(t) != "validation_failed" {
					t.Fatalf("%d %s, want 422 validation_failed", r.status, r.body)
				}
				var p struct{ Errors []fe }
				if err := json.Unmarshal(r.body, &p); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, f := range p.Errors {
					got = append(got, f.Pointer)
					if f.Detail == "" {
						t.Errorf("%s has no detail", f.Pointer)
					}
				}
				if !reflect.DeepEqual(got, c.pointers) {
					t.Errorf("pointers %v, want %v", got, c.pointers)
				}
				if s := e.sb.Stats(); s.JobsCreated != 0 || s.CreditsCharged != 0 {
					t.Errorf("a rejected job was created or charged: %+v", s)
				}
			})
		})
	}
}

// API.md Authentication: revocation is instant; malformed headers are 401.
func TestAuthentication(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{}, sandbox.OrgOptions{})
		if len(e.tok) != 51 || !strings.HasPrefix(e.tok, "ab_") {
			t.Fatalf("token %q: want ab_ and 51 characters", e.tok)
		}
		for _, auth := range []string{"", "Bearer", "Basic " + e.tok, "Bearer " + e.tok[:50], e.tok} {
			if r := e.do("GET", "/v1/balance", "", hdr{"Authorization": auth}); r.status != 401 {
				t.Errorf("Authorization %q: %d, want 401", auth, r.status)
			}
		}
		if r := e.do("GET", "/v1/balance", "", nil); r.status != 200 {
			t.Fatalf("valid token: %d", r.status)
		}
		if err := e.sb.RevokeToken(e.tok); err != nil {
			t.Fatal(err)
		}
		r := e.do("GET", "/v1/balance", "", nil)
		if r.status != 401 || r.code(t) != "unauthorized" {
			t.Errorf("revoked token: %d %s, want 401 unauthorized", r.status, r.body)
		}
		wantHeader(t, r.header, "WWW-Authenticate", `Bearer realm="abstrakt"`)
		// Another org's job is not found, not forbidden.
		_, otherTok, err := e.sb.Bootstrap(sandbox.OrgOptions{Credits: 5})
		if err != nil {
			t.Fatal(err)
		}
		e.tok = otherTok
		id := e.createJob(fluxBody, nil)
		if e.tok, err = e.sb.IssueToken(e.org); err != nil {
			t.Fatal(err)
		}
		if r := e.do("GET", "/v1/jobs/"+id, "", nil); r.status != http.StatusNotFound {
			t.Errorf("another org's job: %d, want 404", r.status)
		}
	})
}

// Bad configuration is an error naming what is wrong, never a panic.
func TestOptionErrors(t *testing.T) {
	cases := []struct {
		name string
		opts sandbox.Options
		want string
	}{
		{"fractional window", sandbox.Options{Window: 1500 * time.Millisecond}, "whole number of seconds"},
		{"dialect", sandbox.Options{Dialect: "graphql"}, "unknown dialect"},
		{"faults over 1", sandbox.Options{Faults: sandbox.Faults{sandbox.Fault500: 0.7, sandbox.FaultDrop: 0.5}}, "more than 1"},
		{"failure rate", sandbox.Options{FailureRate: 2}, "FailureRate"},
	}
	for _, c := range cases {
		if _, err := sandbox.New(c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want it to mention %q", c.name, err, c.want)
		}
	}
	sb, _ := sandbox.New(sandbox.Options{})
	if _, err := sb.CreateOrg(sandbox.OrgOptions{Plan: "platinum"}); err == nil || !strings.Contains(err.Error(), "platinum") {
		t.Errorf("unknown plan: %v", err)
	}
	if _, err := sb.IssueToken("org_404"); !errors.Is(err, sandbox.ErrNotFound) {
		t.Errorf("token for a missing org: %v, want ErrNotFound", err)
	}
	if _, err := sb.CreateOrg(sandbox.OrgOptions{Limits: &sandbox.Limits{Requests: -1}}); err == nil {
		t.Error("negative limit: no error")
	}
}
