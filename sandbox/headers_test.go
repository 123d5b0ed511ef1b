package sandbox_test

import (
	"net/http"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

// API.md "Headers on every /v1/ response", for every endpoint, error and
// 404 included, in every dialect (reset format per seed 000/001/002/003).
func TestHeadersOnEveryResponse(t *testing.T) {
	for _, d := range sandbox.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, sandbox.Options{Dialect: d}, sandbox.OrgOptions{Plan: sandbox.PlanTeam, Credits: 100})
				id := e.createJob(fluxBody, nil)
				cases := []struct {
					name, method, path, body string
					badToken                 bool
					status                   int
				}{
					{"balance", "GET", "/v1/balance", "", false, 200},
					{"models", "GET", "/v1/models", "", false, 200},
					{"list jobs", "GET", "/v1/jobs?status=queued", "", false, 200},
					{"get job", "GET", "/v1/jobs/" + id, "", false, 200},
					{"create job", "POST", "/v1/jobs", fluxBody, false, 201},
					{"cancel job", "POST", "/v1/jobs/" + id + "/cancel", "", false, 200},
					{"cancel again: conflict", "POST", "/v1/jobs/" + id + "/cancel", "", false, 409},
					{"missing job", "GET", "/v1/jobs/job_nope", "", false, 404},
					{"unknown path", "GET", "/v1/nope", "", false, 404},
					{"wrong method", "DELETE", "/v1/balance", "", false, 405},
					{"validation", "POST", "/v1/jobs", `{"model":"flux-schnell","input":{}}`, false, 422},
					{"bad token", "GET", "/v1/balance", "", true, 401},
				}
				windowEnd := time.Now().Truncate(time.Minute).Add(time.Minute)
				for _, c := range cases {
					h := hdr{}
					if c.badToken {
						h["Authorization"] = "Bearer ab_" + "x"
					}
					r := e.do(c.method, c.path, c.body, h)
					if r.status != c.status {
						t.Fatalf("%s: status %d, want %d\n%s", c.name, r.status, c.status, r.body)
					}
					if got := parseHTTPDate(t, "Date", r.header.Get("Date")); !got.Equal(time.Now().Truncate(time.Second)) {
						t.Errorf("%s: Date %v, want the sandbox clock %v", c.name, got, time.Now())
					}
					for _, name := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining"} {
						if _, err := strconv.Atoi(r.header.Get(name)); err != nil {
							t.Errorf("%s: %s = %q is not an integer", c.name, name, r.header.Get(name))
						}
					}
					var reset time.Time
					switch d {
					case sandbox.DialectAbstraktUnix, sandbox.DialectPredictions:
						sec, err := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
						if err != nil {
							t.Fatalf("%s: X-RateLimit-Reset %q is not Unix seconds", c.name, r.header.Get("X-RateLimit-Reset"))
						}
						reset = time.Unix(sec, 0)
					default:
						reset = parseHTTPDate(t, "X-RateLimit-Reset", r.header.Get("X-RateLimit-Reset"))
					}
					if !reset.Equal(windowEnd) {
						t.Errorf("%s: X-RateLimit-Reset %v, want the window end %v", c.name, reset, windowEnd)
					}
					if r.status/100 != 2 && r.header.Get("Content-Type") != "application/problem+json" {
						t.Errorf("%s: Content-Type %q, want application/problem+json", c.name, r.header.Get("Content-Type"))
					}
					if c.badToken {
						if r.header.Get("X-Credits-Remaining") != "" || r.header.Get("X-Quota-Limit") != "" {
							t.Errorf("%s: an unauthenticated answer reveals an org's credits or quota", c.name)
						}
						continue
					}
					if _, err := strconv.ParseFloat(r.header.Get("X-Credits-Remaining"), 64); err != nil {
						t.Errorf("%s: X-Credits-Remaining %q is not a number", c.name, r.header.Get("X-Credits-Remaining"))
					}
					wantHeader(t, r.header, "X-Quota-Limit", "25000")
					if _, err := strconv.Atoi(r.header.Get("X-Quota-Remaining")); err != nil {
						t.Errorf("%s: X-Quota-Remaining %q is not an integer", c.name, r.header.Get("X-Quota-Remaining"))
					}
					if got := parseHTTPDate(t, "X-Quota-Reset", r.header.Get("X-Quota-Reset")); !got.Equal(time.Date(2000, 2, 1, 0, 0, 0, 0, time.UTC)) {
						t.Errorf("%s: X-Quota-Reset %v, want the first of next month", c.name, got)
					}
				}
			})
		})
	}
}

// API.md plan table: the first response tells the truth about the plan.
func TestPlanLimitsInHeaders(t *testing.T) {
	cases := []struct {
		plan      string
		limit     string
		quota     string // "" = no X-Quota-* headers
		pointsLim string
	}{
		{sandbox.PlanFree, "10", "", "100"},
		{sandbox.PlanPro, "60", "", "300"},
		{sandbox.PlanTeam, "60", "25000", "300"},
		{sandbox.PlanBusiness, "300", "", "600"},
		{sandbox.PlanEnterprise, "1000", "1000000", "1000"},
	}
	for _, c := range cases {
		t.Run(c.plan, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, sandbox.Options{}, sandbox.OrgOptions{Plan: c.plan, Credits: 5})
				r := e.do("GET", "/v1/balance", "", nil)
				wantHeader(t, r.header, "X-RateLimit-Limit", c.limit)
				wantHeader(t, r.header, "X-Quota-Limit", c.quota)
				if got := r.json(t)["plan"]; got != c.plan {
					t.Errorf("balance plan = %v, want %s", got, c.plan)
				}
				p := newEnv(t, sandbox.Options{Dialect: sandbox.DialectPoints}, sandbox.OrgOptions{Plan: c.plan})
				wantHeader(t, p.do("GET", "/v1/balance", "", nil).header, "X-RateLimit-Limit", c.pointsLim)
			})
		})
	}
}

// Seed 000: "X-RateLimit-Remaining: requests left in the current window";
// 429 with Retry-After until the window resets, then a fresh window.
func TestRateWindowExhaustionAndReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{Window: 10 * time.Second}, sandbox.OrgOptions{Plan: sandbox.PlanFree})
		time.Sleep(3 * time.Second) // 7 s left in the window
		for i := 1; i <= 10; i++ {
			r := e.do("GET", "/v1/balance", "", nil)
			wantHeader(t, r.header, "X-RateLimit-Remaining", strconv.Itoa(10-i))
		}
		r := e.do("GET", "/v1/balance", "", nil)
		if r.status != http.StatusTooManyRequests || r.code(t) != "rate_limit_exceeded" {
			t.Fatalf("11th request: %d %s, want 429 rate_limit_exceeded", r.status, r.body)
		}
		wantHeader(t, r.header, "Retry-After", "7")
		wantHeader(t, r.header, "X-RateLimit-Remaining", "0")
		time.Sleep(7 * time.Second)
		r = e.do("GET", "/v1/balance", "", nil)
		if r.status != http.StatusOK {
			t.Fatalf("after Retry-After: %d, want 200", r.status)
		}
		wantHeader(t, r.header, "X-RateLimit-Remaining", "9")
		if s := e.sb.Stats(); s.RetryAfterViolations != 0 || s.TooManyRequests != 1 {
			t.Errorf("stats: %d violations, %d 429s; want 0 and 1", s.RetryAfterViolations, s.TooManyRequests)
		}
	})
}

// Issue 3 item 6: a request before the Retry-After passed (50 ms slack) is
// a violation; one inside the slack is not.
func TestRetryAfterViolations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{Window: 10 * time.Second}, sandbox.OrgOptions{Plan: sandbox.PlanFree})
		for range 10 {
			e.do("GET", "/v1/balance", "", nil)
		}
		if r := e.do("GET", "/v1/balance", "", nil); r.status != 429 {
			t.Fatalf("status %d, want 429", r.status)
		}
		e.do("GET", "/v1/balance", "", nil) // at once: a violation
		time.Sleep(10*time.Second - 40*time.Millisecond)
		e.do("GET", "/v1/balance", "", nil) // 40 ms early: inside the slack
		if got := e.sb.Stats().RetryAfterViolations; got != 1 {
			t.Errorf("retry_after_violations = %d, want 1", got)
		}
	})
}

// The points dialect (seed 003): costs by complexity, one budget per org
// shared by every token, X-RateLimit-* counting points.
func TestPointsBudgetSharedAcrossTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{Dialect: sandbox.DialectPoints}, sandbox.OrgOptions{Plan: sandbox.PlanTeam, Credits: 10})
		second, err := e.sb.IssueToken(e.org)
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			method, path, body string
			token              string
			cost               int
		}{
			{"GET", "/v1/balance", "", e.tok, 1},
			{"GET", "/v1/models", "", second, 5},
			{"GET", "/v1/jobs?status=running", "", e.tok, 5},
			{"GET", "/v1/jobs", "", second, 10},
			{"POST", "/v1/jobs", fluxBody, e.tok, 3},
		}
		left := 300
		for _, s := range steps {
			if got := sandbox.PointCost(s.method, s.path[:len(s.path)-len(queryOf(s.path))], queryOf(s.path) != ""); got != s.cost {
				t.Errorf("PointCost(%s %s) = %d, want %d", s.method, s.path, got, s.cost)
			}
			left -= s.cost
			r := e.do(s.method, s.path, s.body, hdr{"Authorization": "Bearer " + s.token})
			wantHeader(t, r.header, "X-RateLimit-Limit", "300")
			wantHeader(t, r.header, "X-RateLimit-Remaining", strconv.Itoa(left))
		}
		// Spend down to 2 points left: a 3-point write no longer fits.
		for left >= 10 {
			e.do("GET", "/v1/jobs", "", nil)
			left -= 10
		}
		for left > 2 {
			e.do("GET", "/v1/balance", "", nil)
			left--
		}
		r := e.do("POST", "/v1/jobs", fluxBody, hdr{"Authorization": "Bearer " + second})
		if r.status != 429 || r.code(t) != "rate_limit_exceeded" {
			t.Fatalf("write with 2 points left: %d %s, want 429", r.status, r.body)
		}
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		parseHTTPDate(t, "X-RateLimit-Reset", r.header.Get("X-RateLimit-Reset"))
		if r := e.do("GET", "/v1/balance", "", nil); r.status != 200 {
			t.Errorf("a 1-point read with 2 left: %d, want 200", r.status)
		}
	})
}

func queryOf(path string) string {
	for i := range path {
		if path[i] == '?' {
			return path[i:]
		}
	}
	return ""
}

// Options.IETFHeaders: the draft-08+ fields, with the daily write limit
// that the X- headers cannot express.
func TestIETFHeaders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{IETFHeaders: true, Window: 10 * time.Second}, sandbox.OrgOptions{Plan: sandbox.PlanFree, Credits: 5})
		time.Sleep(4 * time.Second)
		e.createJob(fluxBody, nil)
		r := e.do("GET", "/v1/balance", "", nil)
		wantHeader(t, r.header, "RateLimit-Policy", `"window";q=10;w=10, "daily";q=100;w=86400`)
		wantHeader(t, r.header, "RateLimit", `"window";r=8;t=6, "daily";r=99;t=86396`)
		plain := newEnv(t, sandbox.Options{}, sandbox.OrgOptions{})
		wantHeader(t, plain.do("GET", "/v1/balance", "", nil).header, "RateLimit", "")
	})
}
