package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

// Issue 3 item 5: each fault kind, at fraction 1, as a client sees it.
func TestEachFaultKind(t *testing.T) {
	usage := []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Quota-Limit", "X-Quota-Remaining", "X-Quota-Reset", "X-Credits-Remaining"}
	cases := []struct {
		kind  sandbox.FaultKind
		check func(t *testing.T, r reply, err error, elapsed time.Duration)
	}{
		{sandbox.Fault500, func(t *testing.T, r reply, err error, _ time.Duration) {
			if err != nil || r.status != 500 || r.code(t) != "internal_error" || r.header.Get("X-RateLimit-Limit") == "" {
				t.Errorf("%v %d %s: want 500 internal_error with the usage headers", err, r.status, r.body)
			}
		}},
		{sandbox.Fault502, func(t *testing.T, r reply, err error, _ time.Duration) {
			if err != nil || r.status != 502 || r.header.Get("Content-Type") != "text/html" || !strings.Contains(string(r.body), "Bad Gateway") {
				t.Errorf("%v %d %q: want a 502 HTML page", err, r.status, r.body)
			}
			if r.header.Get("X-RateLimit-Limit") != "" {
				t.Error("a proxy page carries the API's headers")
			}
		}},
		{sandbox.Fault503, func(t *testing.T, r reply, err error, _ time.Duration) {
			if err != nil || r.status != 503 || !strings.Contains(string(r.body), "<html>") || r.header.Get("Retry-After") != "5" {
				t.Errorf("%v %d %q %v: want a 503 HTML page with Retry-After: 5", err, r.status, r.body, r.header)
			}
		}},
		{sandbox.FaultDrop, func(t *testing.T, r reply, err error, _ time.Duration) {
			if err == nil || !errors.Is(err, io.EOF) {
				t.Errorf("err %v (status %d): want the connection closed without a response", err, r.status)
			}
		}},
		{sandbox.FaultStall, func(t *testing.T, r reply, err error, elapsed time.Duration) {
			var ne interface{ Timeout() bool }
			if !errors.As(err, &ne) || !ne.Timeout() || elapsed != 30*time.Second {
				t.Errorf("err %v after %v: want the client's 30 s timeout", err, elapsed)
			}
		}},
		{sandbox.FaultTruncate, func(t *testing.T, r reply, err error, _ time.Duration) {
			if !errors.Is(err, io.ErrUnexpectedEOF) || r.status != 201 {
				t.Errorf("err %v status %d: want 201 then an unexpected EOF in the body", err, r.status)
			}
		}},
		{sandbox.FaultBadHeaders, func(t *testing.T, r reply, err error, _ time.Duration) {
			if err != nil || r.status != 201 {
				t.Fatalf("%v %d", err, r.status)
			}
			want := map[string]string{"X-RateLimit-Limit": "lots", "X-RateLimit-Remaining": "-3", "X-RateLimit-Reset": "soon",
				"X-Quota-Limit": "1e400", "X-Quota-Remaining": "12.5.1", "X-Quota-Reset": "next month", "X-Credits-Remaining": "NaN"}
			for _, h := range usage {
				wantHeader(t, r.header, h, want[h])
			}
		}},
		{sandbox.FaultNoHeaders, func(t *testing.T, r reply, err error, _ time.Duration) {
			if err != nil || r.status != 201 {
				t.Fatalf("%v %d", err, r.status)
			}
			for _, h := range usage {
				wantHeader(t, r.header, h, "")
			}
			if r.header.Get("Date") == "" {
				t.Error("Date is gone too")
			}
		}},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, sandbox.Options{Faults: sandbox.Faults{c.kind: 1}}, sandbox.OrgOptions{Credits: 10})
				e.client.Timeout = 30 * time.Second
				start := time.Now()
				r, err := e.try("POST", "/v1/jobs", fluxBody, nil)
				c.check(t, r, err, time.Since(start))
				synctest.Wait() // let the server see a client that gave up
				s := e.sb.Stats()
				if s.Faults[string(c.kind)] != 1 || s.Requests != 1 {
					t.Errorf("stats: faults %v, requests %d; want one %s in one request", s.Faults, s.Requests, c.kind)
				}
				// Faults that hit after processing leave the job created: the
				// client must retry with the same Idempotency-Key.
				created := map[sandbox.FaultKind]bool{sandbox.FaultDrop: true, sandbox.FaultTruncate: true,
					sandbox.FaultBadHeaders: true, sandbox.FaultNoHeaders: true}
				if got := s.JobsCreated == 1; got != created[c.kind] {
					t.Errorf("jobs created %d, want a job: %v", s.JobsCreated, created[c.kind])
				}
			})
		})
	}
}

// A stalled request ends when the client gives up, and StallFor later
// it would have been answered.
func TestStallAnswersAfterStallFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{Faults: sandbox.Faults{sandbox.FaultStall: 1}, StallFor: 2 * time.Minute}, sandbox.OrgOptions{})
		start := time.Now()
		r := e.do("GET", "/v1/balance", "", nil)
		if r.status != 200 || time.Since(start) != 2*time.Minute {
			t.Errorf("status %d after %v: want 200 after 2m", r.status, time.Since(start))
		}
	})
}

func TestParseFaults(t *testing.T) {
	cases := []struct {
		spec    string
		want    sandbox.Faults
		wantErr string
	}{
		{"", nil, ""},
		{"0.24", sandbox.Faults{"500": 0.03, "502": 0.03, "503": 0.03, "drop": 0.03, "stall": 0.03, "truncate": 0.03, "badheaders": 0.03, "noheaders": 0.03,
			"file_cut": 0.08, "file_503": 0.08, "file_expired": 0.08, "hook_dup": 0.08, "hook_drop": 0.08, "hook_late": 0.08}, ""},
		{"500=0.6,file_cut=0.6", sandbox.Faults{"500": 0.6, "file_cut": 0.6}, ""}, // groups are separate populations
		{"file_cut=0.6,file_503=0.6", nil, "more than 1"},
		{"500=0.05, drop=0.02", sandbox.Faults{"500": 0.05, "drop": 0.02}, ""},
		{"DROP=1", sandbox.Faults{"drop": 1}, ""},
		{"1.5", nil, "not a fraction"},
		{"500", nil, "not a fraction"},
		{"teapot=0.1", nil, `unknown kind "teapot"`},
		{"500=0.1,500=0.2", nil, "given twice"},
		{"500=0.6,drop=0.6", nil, "more than 1"},
		{"500=x", nil, "not a fraction"},
		{"500=0.1,drop", nil, "not kind=fraction"},
	}
	for _, c := range cases {
		got, err := sandbox.ParseFaults(c.spec)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseFaults(%q) err %v, want %q", c.spec, err, c.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseFaults(%q) = %v, %v; want %v", c.spec, got, err, c.want)
		}
	}
}

// Issue 3 item 6: /_sandbox/stats is JSON for loopback clients, 403 for others.
func TestStatsEndpoint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{Faults: sandbox.Faults{sandbox.Fault500: 1}}, sandbox.OrgOptions{})
		e.do("GET", "/v1/balance", "", nil)
		r := e.do("GET", "/_sandbox/stats", "", hdr{"Authorization": ""})
		if r.status != 200 {
			t.Fatalf("stats: %d %s", r.status, r.body)
		}
		var s sandbox.Stats
		if err := json.Unmarshal(r.body, &s); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(s, e.sb.Stats()) || s.Requests != 1 || s.RequestsByStatus["500"] != 1 {
			t.Errorf("served %+v, Stats() %+v: want the same, one 500", s, e.sb.Stats())
		}
		for _, key := range []string{"requests_by_status", "retry_after_violations", "jobs_created", "idempotent_replays",
			"idempotency_mismatches", "credits_charged", "duplicate_jobs", "peak_running_jobs", "too_many_requests"} {
			if !strings.Contains(string(r.body), `"`+key+`"`) {
				t.Errorf("stats JSON lacks %q", key)
			}
		}
		req := httptest.NewRequest("GET", "/_sandbox/stats", nil)
		req.RemoteAddr = "192.0.2.7:4242"
		rec := httptest.NewRecorder()
		e.sb.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("stats from 192.0.2.7: %d, want 403", rec.Code)
		}
	})
}

// Same seed, same requests → the same tokens, ids, timings and faults.
// Both runs must have drawn faults and failed jobs: runs where nothing
// random happens are equal whatever the seed does.
func TestDeterministicBySeed(t *testing.T) {
	run := func() []string {
		var out []string
		synctest.Test(t, func(t *testing.T) {
			e := newEnv(t, sandbox.Options{Seed: 42, FailureRate: 0.5, Faults: sandbox.Faults{sandbox.Fault500: 0.3}}, sandbox.OrgOptions{Credits: 100})
			out = append(out, e.tok)
			for range 8 {
				r, _ := e.try("POST", "/v1/jobs", fluxBody, nil)
				out = append(out, fmt.Sprint(r.status, " ", string(r.body)))
			}
			time.Sleep(time.Minute)
			list := string(e.do("GET", "/v1/jobs", "", nil).body)
			out = append(out, list)
			st := e.sb.Stats()
			if st.Faults[string(sandbox.Fault500)] == 0 || st.JobsCreated == 0 {
				t.Errorf("8 POSTs at a 30 %% fault rate: faults %v, %d jobs created; want some of each", st.Faults, st.JobsCreated)
			}
			if !strings.Contains(list, `"failed"`) || !strings.Contains(list, `"succeeded"`) {
				t.Errorf("at a 50 %% failure rate, want failed and succeeded jobs after a minute: %s", list)
			}
		})
		return out
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two runs with seed 42 differ:\n%v\n%v", a, b)
	}
}

// --traffic: a second client spends the org's window with no help.
func TestTrafficSpendsTheBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{Window: 10 * time.Second}, sandbox.OrgOptions{Plan: sandbox.PlanTeam, Credits: 100})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stop, err := e.sb.StartTraffic(ctx, e.org, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		time.Sleep(9 * time.Second) // 30 a window: one every 1/3 s
		r := e.do("GET", "/v1/balance", "", nil)
		wantHeader(t, r.header, "X-RateLimit-Remaining", "32") // 60 − 27 − this one
		time.Sleep(time.Minute)
		s := e.sb.Stats()
		if s.JobsCreated == 0 || s.RetryAfterViolations != 0 {
			t.Errorf("after a minute of traffic: %d jobs, %d violations; want some jobs and no violations", s.JobsCreated, s.RetryAfterViolations)
		}
		if _, err := e.sb.StartTraffic(ctx, e.org, 0); err == nil {
			t.Error("fraction 0: no error")
		}
	})
}
