package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/problem"
)

// testToken is a well-formed 51-character token (ab_ + 48).
const testToken = "ab_test0123456789abcdefghijklmnopqrstuvwxyzABCDwxyz"

// seed000Headers are the headers seed 000 documents (HTTP-date resets).
func seed000Headers(h http.Header) {
	h.Set("Date", "Tue, 24 Nov 2026 19:00:00 GMT")
	h.Set("X-RateLimit-Limit", "60")
	h.Set("X-RateLimit-Remaining", "41")
	h.Set("X-RateLimit-Reset", "Tue, 24 Nov 2026 19:00:23 GMT")
	h.Set("X-Quota-Limit", "25000")
	h.Set("X-Quota-Remaining", "24880")
	h.Set("X-Quota-Reset", "Tue, 01 Dec 2026 00:00:00 GMT")
}

type recorder struct {
	mu  sync.Mutex
	obs []Observation
}

func (r *recorder) observe(o Observation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.obs = append(r.obs, o)
}

func (r *recorder) all() []Observation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Observation(nil), r.obs...)
}

func newTestClient(t *testing.T, h http.Handler, mod func(*Options)) (*Client, *recorder) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rec := &recorder{}
	o := Options{BaseURL: srv.URL, Token: testToken, Version: "1.2.3", Observer: rec.observe}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, rec
}

func TestNewBaseURL(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		insecure  bool
		want      string // normalized URL, or "" when New must fail
	}{
		{"https host", "https://api.abstrakt.dev", false, "https://api.abstrakt.dev"},
		{"trailing slash and /v1 as documented in seed 000", "https://api.abstrakt.dev/v1/", false, "https://api.abstrakt.dev"},
		{"http loopback ip", "http://127.0.0.1:8080", false, "http://127.0.0.1:8080"},
		{"http localhost", "http://localhost:9", false, "http://localhost:9"},
		{"http ipv6 loopback", "http://[::1]:9", false, "http://[::1]:9"},
		{"http remote refused", "http://api.abstrakt.dev", false, ""},
		{"http remote allowed with AllowInsecureHTTP", "http://api.abstrakt.dev", true, "http://api.abstrakt.dev"},
		{"http lookalike of localhost refused", "http://localhost.evil.com", false, ""},
		// Go resolves *.localhost through DNS like any name: it may be remote.
		{"http subdomain of localhost refused (resolved by DNS)", "http://api.localhost", false, ""},
		{"token pasted as a query: refused, not echoed", "https://api.abstrakt.dev/v1?key=" + testToken, false, ""},
		{"token pasted instead of the URL: refused, not echoed", testToken, false, ""},
		{"token pasted as an unsupported scheme: refused, not echoed", "ab:" + testToken, false, ""},
		{"no scheme", "api.abstrakt.dev", false, ""},
		{"ftp scheme", "ftp://api.abstrakt.dev", false, ""},
		{"userinfo", "https://u:p@api.abstrakt.dev", false, ""},
		{"empty", "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Options{BaseURL: tc.url, Token: testToken, AllowInsecureHTTP: tc.insecure})
			if tc.want == "" {
				if err == nil {
					t.Fatalf("New(%q) succeeded, want an error", tc.url)
				}
				if strings.Contains(err.Error(), testToken) {
					t.Fatalf("error contains the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tc.url, err)
			}
			if c.BaseURL() != tc.want {
				t.Fatalf("BaseURL = %q, want %q", c.BaseURL(), tc.want)
			}
		})
	}
}

func TestNewRejectsBadToken(t *testing.T) {
	for _, tok := range []string{"", "ab_x\r\nX-Evil: 1"} {
		_, err := New(Options{BaseURL: "https://a.example", Token: tok})
		if err == nil {
			t.Fatalf("New accepted token %q", tok)
		}
		if tok != "" && strings.Contains(err.Error(), tok) {
			t.Fatalf("error echoes the token: %v", err)
		}
	}
}

func TestRequestsAndDecoding(t *testing.T) {
	type seen struct{ method, uri, auth, ua, accept, ctype, idem, body string }
	var mu sync.Mutex
	var got []seen
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("User-Agent"),
			r.Header.Get("Accept"), r.Header.Get("Content-Type"), r.Header.Get("Idempotency-Key"), string(b)})
		mu.Unlock()
		seed000Headers(w.Header())
		w.Header().Set("Content-Type", "application/json")
		job := `{"id":"job_1","model":"flux-schnell","status":"queued","credits":1,"created_at":"2026-11-24T19:00:00Z","finished_at":null,"output":null,"error":null}`
		switch {
		case r.URL.Path == "/v1/balance":
			fmt.Fprint(w, `{"credits":1250.5,"plan":"team"}`)
		case r.URL.Path == "/v1/models":
			fmt.Fprint(w, `{"data":[{"id":"flux-schnell","kind":"image","credits":1}]}`)
		case r.URL.Path == "/v1/jobs" && r.Method == http.MethodGet:
			fmt.Fprint(w, `{"data":[`+job+`]}`)
		case r.URL.Path == "/v1/jobs" && r.Method == http.MethodPost:
			w.Header().Set("Idempotency-Replayed", "true")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, job)
		case r.URL.Path == "/v1/jobs/job_1":
			fmt.Fprint(w, job)
		case r.URL.Path == "/v1/jobs/job_1/cancel":
			fmt.Fprint(w, strings.Replace(job, "queued", "canceled", 1))
		default:
			http.NotFound(w, r)
		}
	})
	c, rec := newTestClient(t, h, nil)
	ctx := context.Background()

	b, m, err := c.Balance(ctx)
	if err != nil || b.Credits != 1250.5 || b.Plan != "team" || m.Status != 200 {
		t.Fatalf("Balance = %+v, %+v, %v", b, m, err)
	}
	models, _, err := c.Models(ctx)
	if err != nil || len(models) != 1 || models[0].ID != "flux-schnell" {
		t.Fatalf("Models = %+v, %v", models, err)
	}
	jobs, _, err := c.ListJobs(ctx, StatusRunning)
	if err != nil || len(jobs) != 1 || jobs[0].ID != "job_1" {
		t.Fatalf("ListJobs = %+v, %v", jobs, err)
	}
	if _, _, err := c.ListJobs(ctx, "bogus"); err == nil {
		t.Fatal("ListJobs accepted an unknown status")
	}
	j, _, err := c.GetJob(ctx, "job_1")
	if err != nil || j.Status != StatusQueued || j.Problem() != nil {
		t.Fatalf("GetJob = %+v, %v", j, err)
	}
	j, m, err = c.CreateJob(ctx, JobRequest{Model: "flux-schnell", Input: json.RawMessage(`{"prompt":"a cat"}`)}, "key-1")
	if err != nil || j.ID != "job_1" || m.Status != 201 || !m.Replayed {
		t.Fatalf("CreateJob = %+v, %+v, %v", j, m, err)
	}
	j, _, err = c.CancelJob(ctx, "job_1", "key-2")
	if err != nil || j.Status != StatusCanceled {
		t.Fatalf("CancelJob = %+v, %v", j, err)
	}

	want := []seen{
		{method: "GET", uri: "/v1/balance"},
		{method: "GET", uri: "/v1/models"},
		{method: "GET", uri: "/v1/jobs?limit=100&status=running"},
		{method: "GET", uri: "/v1/jobs/job_1"},
		{method: "POST", uri: "/v1/jobs", ctype: "application/json", idem: "key-1", body: `{"model":"flux-schnell","input":{"prompt":"a cat"}}`},
		{method: "POST", uri: "/v1/jobs/job_1/cancel", idem: "key-2"},
	}
	if len(got) != len(want) {
		t.Fatalf("server saw %d requests, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.auth != "Bearer "+testToken || g.ua != "abtop/1.2.3" || !strings.Contains(g.accept, "application/json") {
			t.Errorf("request %d headers: auth ok=%v ua=%q accept=%q", i, g.auth == "Bearer "+testToken, g.ua, g.accept)
		}
		if g.method != w.method || g.uri != w.uri || g.ctype != w.ctype || g.idem != w.idem || g.body != w.body {
			t.Errorf("request %d = %s %s ctype=%q idem=%q body=%q, want %+v", i, g.method, g.uri, g.ctype, g.idem, g.body, w)
		}
	}

	obs := rec.all()
	if len(obs) != 6 {
		t.Fatalf("observer called %d times, want 6", len(obs))
	}
	for i, o := range obs {
		if o.Err != nil || o.Status/100 != 2 || o.Snapshot.Received.IsZero() || o.Path == "" {
			t.Errorf("observation %d = %+v", i, o)
		}
		if o.Write != (o.Method == http.MethodPost) {
			t.Errorf("observation %d Write = %v for %s", i, o.Write, o.Method)
		}
	}
}

func TestEmptyIDsRejectedBeforeSending(t *testing.T) {
	c, rec := newTestClient(t, http.NotFoundHandler(), nil)
	ctx := context.Background()
	if _, _, err := c.GetJob(ctx, ""); err == nil {
		t.Error("GetJob(\"\") succeeded")
	}
	if _, _, err := c.CancelJob(ctx, "", "k"); err == nil {
		t.Error("CancelJob(\"\") succeeded")
	}
	if _, _, err := c.CreateJob(ctx, JobRequest{}, "k"); err == nil {
		t.Error("CreateJob without model succeeded")
	}
	if n := len(rec.all()); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

func TestErrorShapes(t *testing.T) {
	for _, tc := range []struct {
		name   string // source of the shape
		status int
		ctype  string
		body   string
		header map[string]string
		code   string
		fields int
		// The expected problem and classification, written out (not
		// computed with problem.Parse/Classify, which would agree with
		// any bug they share with the client).
		title, detail, message string
		kind                   problem.Kind
		retryable              bool
		wait                   time.Duration
	}{
		{"API.md 401 problem+json", 401, "application/problem+json",
			`{"type":"https://docs.abstrakt.dev/errors/unauthorized","title":"Unauthorized","status":401,"detail":"Missing or invalid API token.","code":"unauthorized"}`, nil, "unauthorized", 0,
			"Unauthorized", "Missing or invalid API token.", "Missing or invalid API token.", problem.KindAuth, false, 0},
		{"API.md 422 validation_failed with errors[]", 422, "application/problem+json",
			`{"title":"Validation failed","status":422,"detail":"The request has invalid fields.","code":"validation_failed","errors":[{"pointer":"/input/prompt","detail":"must not be empty"}]}`, nil, "validation_failed", 1,
			"Validation failed", "The request has invalid fields.", "The request has invalid fields.", problem.KindOther, false, 0},
		{"seed 000 429 with Retry-After", 429, "application/problem+json",
			`{"title":"Too Many Requests","status":429,"detail":"Rate limit of 60 requests per minute exceeded.","code":"rate_limit_exceeded"}`,
			map[string]string{"Retry-After": "12", "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0"}, "rate_limit_exceeded", 0,
			"Too Many Requests", "Rate limit of 60 requests per minute exceeded.", "Rate limit of 60 requests per minute exceeded.", problem.KindRateLimit, true, 12 * time.Second},
		{"seed 002 nested error", 429, "application/json",
			`{"error":{"type":"rate_limit_error","message":"Concurrent prediction limit exceeded. 5/5 predictions running.","code":"CONCURRENT_LIMIT_EXCEEDED","details":{"limit":5,"active":5}}}`, nil, "CONCURRENT_LIMIT_EXCEEDED", 0,
			"", "", "Concurrent prediction limit exceeded. 5/5 predictions running.", problem.KindConcurrency, true, 0},
		{"proxy HTML 502", 502, "text/html", `<html><body><h1>502 Bad Gateway</h1></body></html>`, nil, "", 0,
			"", "", "Bad Gateway", problem.KindServer, true, 0},
		{"empty 503", 503, "", ``, map[string]string{"Retry-After": "3"}, "", 0,
			"", "", "Service Unavailable", problem.KindServer, true, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			c, rec := newTestClient(t, h, nil)
			_, _, err := c.Balance(context.Background())
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %T %v, want *Error", err, err)
			}
			if e.Status != tc.status || e.Method != "GET" || e.Path != "/v1/balance" {
				t.Errorf("status/method/path = %d %s %s", e.Status, e.Method, e.Path)
			}
			if e.Title != tc.title || e.Detail != tc.detail || e.Message != tc.message {
				t.Errorf("title %q, detail %q, message %q; want %q, %q, %q", e.Title, e.Detail, e.Message, tc.title, tc.detail, tc.message)
			}
			if e.Kind != tc.kind || e.Retryable != tc.retryable || e.Wait != tc.wait || e.Exhausted != problem.ExhaustedNone {
				t.Errorf("kind %d, retryable %t, wait %v, exhausted %q; want %d, %t, %v, none", e.Kind, e.Retryable, e.Wait, e.Exhausted, tc.kind, tc.retryable, tc.wait)
			}
			if e.Problem == nil {
				t.Error("Problem is nil")
			}
			if e.Code != tc.code || len(e.Fields) != tc.fields {
				t.Errorf("code = %q fields = %d, want %q %d", e.Code, len(e.Fields), tc.code, tc.fields)
			}
			msg := e.Error()
			if !strings.HasPrefix(msg, fmt.Sprint(tc.status)) || strings.Contains(msg, "\n") || strings.Contains(msg, "<html") {
				t.Errorf("Error() = %q", msg)
			}
			obs := rec.all()
			if len(obs) != 1 || obs[0].Status != tc.status || obs[0].Err != err {
				t.Errorf("observations = %+v", obs)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{Status: 429, Code: "rate_limit_exceeded", Message: "Too many requests", Retryable: true, Wait: 12 * time.Second},
			"429 rate_limit_exceeded: Too many requests — retry in 12s"},
		{Error{Status: 422, Code: "validation_failed", Message: "Invalid fields.", Fields: []problem.FieldError{{Pointer: "/input/prompt", Detail: "must not be empty"}}},
			"422 validation_failed: Invalid fields.; /input/prompt: must not be empty"},
		{Error{Status: 429, Code: "quota_exceeded", Message: "Monthly write quota exhausted.", Exhausted: problem.ExhaustedQuota, Wait: 6*24*time.Hour + 19*time.Hour},
			"429 quota_exceeded: Monthly write quota exhausted. — quota exhausted, resets in 6d 19h"},
		{Error{Status: 502}, "502: Bad Gateway"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(401)
		// A careless server echoing the credential it rejected.
		fmt.Fprintf(w, `{"title":"Unauthorized %[1]s","status":401,"detail":"token %[1]s was revoked","code":"unauthorized","instance":"/v1/balance?t=%[1]s","seen":{"tokens":["%[1]s"]}}`, testToken)
	})
	c, _ := newTestClient(t, h, nil)
	_, _, err := c.Balance(context.Background())
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%+v", *e.Problem), e.Message, e.Detail, e.Title} {
		if strings.Contains(s, testToken) {
			t.Fatalf("token leaked into %q", s)
		}
	}
	if !strings.Contains(e.Detail, "ab_…wxyz") {
		t.Errorf("Detail = %q, want the masked token", e.Detail)
	}

	// Transport failure: nothing listens.
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c2, err := New(Options{BaseURL: srv.URL, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c2.Balance(context.Background())
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Fatalf("transport error = %v", err)
	}
}

// TestTokenNeverInCodeOrPointer: a server echoing the token in the stable
// code or a field error's pointer must not make abtop print it either.
func TestTokenNeverInCodeOrPointer(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(422)
		fmt.Fprintf(w, `{"title":"Invalid","status":422,"code":"bad_%[1]s","errors":[{"pointer":"/headers/%[1]s","detail":"bad"}],"%[1]s":1}`, testToken)
	})
	c, _ := newTestClient(t, h, nil)
	_, _, err := c.Balance(context.Background())
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", *e), fmt.Sprintf("%+v", *e.Problem), e.Code} {
		if strings.Contains(s, testToken) {
			t.Fatalf("token leaked into %q", s)
		}
	}
}

func TestTransportFailures(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		rec := &recorder{}
		c, _ := New(Options{BaseURL: srv.URL, Token: testToken, Observer: rec.observe})
		_, _, err := c.Models(context.Background())
		var te *TransportError
		if !errors.As(err, &te) || te.Timeout || te.Path != "/v1/models" {
			t.Fatalf("err = %#v", err)
		}
		obs := rec.all()
		if len(obs) != 1 || obs[0].Status != 0 || obs[0].Err != err || obs[0].Snapshot.Binding != -1 {
			t.Fatalf("observations = %+v", obs)
		}
	})
	t.Run("dropped connection mid-body", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.Header().Set("X-RateLimit-Limit", "60")
			w.WriteHeader(200)
			io.WriteString(w, `{"credits":`)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		})
		c, rec := newTestClient(t, h, nil)
		_, _, err := c.Balance(context.Background())
		var te *TransportError
		if !errors.As(err, &te) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("err = %v, want a TransportError wrapping unexpected EOF", err)
		}
		if obs := rec.all(); len(obs) != 1 || obs[0].Status != 200 {
			t.Fatalf("observations = %+v", obs)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		c, rec := newTestClient(t, h, func(o *Options) { o.Timeout = 50 * time.Millisecond })
		_, _, err := c.Balance(context.Background())
		var te *TransportError
		if !errors.As(err, &te) || !te.Timeout {
			t.Fatalf("err = %#v, want a timeout", err)
		}
		if !strings.Contains(err.Error(), "no response within 50ms") {
			t.Errorf("Error() = %q", err)
		}
		if len(rec.all()) != 1 {
			t.Error("observer not called on timeout")
		}
	})
	t.Run("context canceled by caller", func(t *testing.T) {
		started := make(chan struct{})
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-r.Context().Done()
		})
		c, rec := newTestClient(t, h, nil)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-started; cancel() }()
		_, _, err := c.ListJobs(ctx, "")
		var te *TransportError
		if !errors.As(err, &te) || te.Timeout || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %#v, want canceled, not a timeout", err)
		}
		if len(rec.all()) != 1 {
			t.Error("observer not called on cancel")
		}
	})
	t.Run("success body is not JSON", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>hello</html>") })
		c, _ := newTestClient(t, h, nil)
		_, _, err := c.Balance(context.Background())
		var te *TransportError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), "got an HTML page") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestBodyCap(t *testing.T) {
	big := `{"credits":1,"plan":"` + strings.Repeat("x", 2000) + `"}`
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/models" {
			w.WriteHeader(502)
			io.WriteString(w, "<html>"+strings.Repeat("bad gateway ", 500)+"</html>")
			return
		}
		io.WriteString(w, big)
	})
	c, rec := newTestClient(t, h, func(o *Options) { o.MaxBodyBytes = 1024 })
	_, _, err := c.Balance(context.Background())
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, ErrBodyTooLarge) || !strings.Contains(err.Error(), "1024 bytes") {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
	// An oversized error page is still an API error with its status.
	_, _, err = c.Models(context.Background())
	var e *Error
	if !errors.As(err, &e) || e.Status != 502 {
		t.Fatalf("err = %v, want *Error 502", err)
	}
	if len(rec.all()) != 2 {
		t.Error("observer not called for each request")
	}

	// Exactly at the cap is fine.
	exact := `{"credits":2,"plan":"team"}`
	h2 := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, exact) })
	c2, _ := newTestClient(t, h2, func(o *Options) { o.MaxBodyBytes = int64(len(exact)) })
	if b, _, err := c2.Balance(context.Background()); err != nil || b.Credits != 2 {
		t.Fatalf("Balance at cap = %+v, %v", b, err)
	}
}

func TestJobProblem(t *testing.T) {
	j := Job{Error: json.RawMessage(`{"title":"Validation failed","status":422,"code":"validation_failed","detail":"bad input"}`)}
	p := j.Problem()
	if p == nil || p.Status != 422 {
		t.Fatalf("Problem() = %+v", p)
	}
	for _, raw := range []string{"", "null", "  null "} {
		if p := (Job{Error: json.RawMessage(raw)}).Problem(); p != nil {
			t.Errorf("Problem() for %q = %+v, want nil", raw, p)
		}
	}
}

func TestMaskToken(t *testing.T) {
	for _, tc := range []struct{ tok, want string }{
		{testToken, "ab_…wxyz"}, {"", "(none)"}, {"ab_short", "ab_…"}, {"zz_0123456789abcd", "…abcd"},
	} {
		if got := MaskToken(tc.tok); got != tc.want {
			t.Errorf("MaskToken(%q) = %q, want %q", tc.tok, got, tc.want)
		}
	}
}

// TestErrorStringNeutralisesControlCharacters: the server's words go to a
// terminal through Error(); an ESC or BEL in them must show escaped, not
// drive the terminal.
func TestErrorStringNeutralisesControlCharacters(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(422)
		io.WriteString(w, `{"title":"T","status":422,"code":"c\u001b[31m","detail":"d\u001b]0;pwned\u0007",`+
			`"errors":[{"pointer":"/a\u001b[2J","detail":"f\u009b1m"}]}`)
	})
	c, _ := newTestClient(t, h, nil)
	_, _, err := c.Balance(context.Background())
	if err == nil {
		t.Fatal("want an error")
	}
	s := err.Error()
	if strings.ContainsAny(s, "\x1b\a\u009b") {
		t.Fatalf("Error() holds raw control characters: %q", s)
	}
	for _, want := range []string{`c\x1b[31m`, `d\x1b]0;pwned\a`, `/a\x1b[2J`, `f\u009b1m`} {
		if !strings.Contains(s, want) {
			t.Errorf("Error() = %q, lacks %q", s, want)
		}
	}
}
