package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/config"
)

// stToken is a well-formed token (ab_ + 48) used by the status tests.
const stToken = "ab_STATUSTESTtoken0123456789abcdefghijklmnopqrs7Qx2"

// stServerDate is the Date every fake response carries.
var stServerDate = time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)

// stAPI is a fake /v1 that answers with the given rate-limit reset style.
type stAPI struct {
	reset   string // X-RateLimit-Reset value
	plan    string
	running int
	mu      sync.Mutex
	paths   []string
	auth    []string
}

func (s *stAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.paths = append(s.paths, r.URL.RequestURI())
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.mu.Unlock()
	h := w.Header()
	h.Set("Date", stServerDate.Format(http.TimeFormat))
	h.Set("Content-Type", "application/json")
	h.Set("X-RateLimit-Limit", "60")
	h.Set("X-RateLimit-Remaining", "41")
	h.Set("X-RateLimit-Reset", s.reset)
	h.Set("X-Quota-Limit", "25000")
	h.Set("X-Quota-Remaining", "24880")
	h.Set("X-Quota-Reset", "Tue, 01 Dec 2026 00:00:00 GMT")
	switch r.URL.Path {
	case "/v1/balance":
		fmt.Fprintf(w, `{"credits":1250.5,"plan":%q}`, s.plan)
	case "/v1/models":
		io.WriteString(w, `{"data":[{"id":"flux-schnell","kind":"image","credits":1}]}`)
	case "/v1/jobs":
		var jobs []string
		for i := range s.running {
			jobs = append(jobs, fmt.Sprintf(`{"id":"job_%d","model":"flux-schnell","status":"running","credits":1,"created_at":"2026-11-24T18:59:00Z","finished_at":null,"output":null,"error":null}`, i))
		}
		io.WriteString(w, `{"data":[`+strings.Join(jobs, ",")+`]}`)
	default:
		http.NotFound(w, r)
	}
}

// stEnv points the config at srv through the environment, isolated from
// the developer's own config files.
func stEnv(t *testing.T, baseURL string) {
	t.Helper()
	isolateConfig(t)
	t.Setenv("ABTOP_TOKEN", stToken)
	t.Setenv("ABTOP_BASE_URL", baseURL)
}

func stRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, streams{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	if strings.Contains(out.String()+errb.String(), stToken) {
		t.Fatalf("the full token appears in the output of %v", args)
	}
	return code, out.String(), errb.String()
}

func TestStatusSeedHeaders(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reset   string
		plan    string
		running string
	}{
		{"seed 000: HTTP-date reset, Team plan", "Tue, 24 Nov 2026 19:00:23 GMT", "team", "Running jobs  3 (team plan: no concurrency limit)"},
		{"seed 001: Unix-seconds reset, Pro plan", fmt.Sprint(stServerDate.Unix() + 23), "pro", "Running jobs  3 / 10 concurrent (pro plan)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := &stAPI{reset: tc.reset, plan: tc.plan, running: 3}
			srv := httptest.NewServer(api)
			defer srv.Close()
			stEnv(t, srv.URL)
			code, out, errOut := stRun(t, "", "status")
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			for _, want := range []string{
				"profile default", "token ab_…7Qx2",
				"server clock Tue, 24 Nov 2026 19:00:00 GMT",
				"Plan          " + tc.plan,
				"Credits       1,250.5",
				"requests      ███████████░░░░░  41/60 left · 19 used · resets in 23s",
				"Quota         ████████████████  24,880/25,000 writes left this month · resets in 6d 5h",
				tc.running,
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			want := []string{"/v1/balance", "/v1/models", "/v1/jobs?limit=100&status=running"}
			if strings.Join(api.paths, " ") != strings.Join(want, " ") {
				t.Errorf("requests = %v, want %v", api.paths, want)
			}
			for _, a := range api.auth {
				if a != "Bearer "+stToken {
					t.Errorf("Authorization header not sent")
				}
			}
		})
	}
}

func TestStatusJSON(t *testing.T) {
	api := &stAPI{reset: "Tue, 24 Nov 2026 19:00:23 GMT", plan: "pro", running: 2}
	srv := httptest.NewServer(api)
	defer srv.Close()
	stEnv(t, srv.URL)
	code, out, errOut := stRun(t, "", "status", "--json")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	var got struct {
		Token   string  `json:"token"`
		Plan    string  `json:"plan"`
		Credits float64 `json:"credits"`
		Limits  []struct {
			Unit        string  `json:"unit"`
			Limit       int64   `json:"limit"`
			Remaining   int64   `json:"remaining"`
			ResetAfterS float64 `json:"reset_after_s"`
		} `json:"limits"`
		Binding *int `json:"binding"`
		Quota   struct {
			Limit       int64   `json:"limit"`
			Remaining   int64   `json:"remaining"`
			ResetAfterS float64 `json:"reset_after_s"`
		} `json:"quota"`
		RunningJobs      int             `json:"running_jobs"`
		ConcurrencyLimit int             `json:"concurrency_limit"`
		Requests         []any           `json:"requests"`
		Error            json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	wantQuotaReset := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Sub(stServerDate).Seconds()
	if got.Token != "ab_…7Qx2" || got.Plan != "pro" || got.Credits != 1250.5 || len(got.Limits) != 1 ||
		got.Limits[0].Remaining != 41 || got.Limits[0].Limit != 60 || got.Limits[0].ResetAfterS != 23 ||
		got.Binding == nil || *got.Binding != 0 || got.Quota.Remaining != 24880 || got.Quota.ResetAfterS != wantQuotaReset ||
		got.RunningJobs != 2 || got.ConcurrencyLimit != 10 || len(got.Requests) != 3 || string(got.Error) != "null" {
		t.Errorf("JSON = %s", out)
	}
}

func TestStatus401Problem(t *testing.T) {
	var calls int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"type":"https://docs.abstrakt.dev/errors/unauthorized","title":"Unauthorized","status":401,"detail":"The API token was revoked.","code":"unauthorized"}`)
	}))
	defer srv.Close()
	stEnv(t, srv.URL)

	code, out, errOut := stRun(t, "", "status")
	if code == 0 {
		t.Fatal("exit 0 on a 401")
	}
	for _, want := range []string{"401 Unauthorized", "title:  Unauthorized", "detail: The API token was revoked.", "code:   unauthorized"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if out != "" {
		t.Errorf("stdout = %q, want nothing (no summary of nothing)", out)
	}
	if calls != 1 {
		t.Errorf("%d requests after a 401, want 1", calls)
	}

	code, out, _ = stRun(t, "", "status", "--json")
	if code == 0 || !strings.Contains(out, `"code": "unauthorized"`) || !strings.Contains(out, `"detail": "The API token was revoked."`) {
		t.Errorf("--json: exit %d, out:\n%s", code, out)
	}
}

// TestStatusValidationErrorFields: an error with field errors prints them,
// and what the other requests learned is still summarized.
func TestStatusValidationErrorFields(t *testing.T) {
	api := &stAPI{reset: "Tue, 24 Nov 2026 19:00:23 GMT", plan: "team"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/jobs" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"title":"Validation failed","status":422,"detail":"Bad query.","code":"validation_failed","errors":[{"pointer":"/status","detail":"must be a job status"}]}`)
			return
		}
		api.ServeHTTP(w, r)
	}))
	defer srv.Close()
	stEnv(t, srv.URL)
	code, out, errOut := stRun(t, "", "status")
	if code == 0 {
		t.Fatal("exit 0 on a 422")
	}
	if !strings.Contains(out, "Credits       1,250.5") {
		t.Errorf("summary missing:\n%s", out)
	}
	for _, want := range []string{"GET /v1/jobs?limit=100&status=running failed: 422", "code:   validation_failed", "field /status: must be a job status"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestStatusUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	stEnv(t, srv.URL)
	code, out, errOut := stRun(t, "", "status")
	if code == 0 || out != "" || !strings.Contains(errOut, "GET /v1/balance") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestRunStatusDirect drives runStatus with a Config built by hand, the way
// other commands (the dashboard) may reuse it.
func TestRunStatusDirect(t *testing.T) {
	api := &stAPI{reset: "Tue, 24 Nov 2026 19:00:23 GMT", plan: "business", running: 7}
	srv := httptest.NewServer(api)
	defer srv.Close()
	var out, errb bytes.Buffer
	a := newApp(streams{Out: &out, Err: &errb})
	cfg := config.Config{BaseURL: srv.URL, Token: stToken, Profile: "work", NoColor: true}
	if err := a.runStatus(context.Background(), cfg, false); err != nil {
		t.Fatalf("runStatus: %v (%s)", err, errb.String())
	}
	if !strings.Contains(out.String(), "Running jobs  7 / 50 concurrent (business plan)") || !strings.Contains(out.String(), "profile work") {
		t.Errorf("output:\n%s", out.String())
	}
}

// Issue 11 item 9: a status that could not reach the API carries its error
// at the top level of --json (not only in requests[].error), and exits 1.
func TestStatusJSONUnreachableHasTopLevelError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	stEnv(t, srv.URL)
	code, out, errOut := stRun(t, "", "status", "--json")
	var got struct {
		Error *struct {
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if code != 1 || got.Error == nil || got.Error.Kind != "network" || got.Error.Message != "GET /v1/balance: connection refused" {
		t.Fatalf("exit %d, error %+v; want exit 1 and a top-level network error\n%s%s", code, got.Error, out, errOut)
	}
}
