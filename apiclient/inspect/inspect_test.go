package inspect

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// now is the reference clock for inputs without a Date header.
var now = time.Date(2026, 11, 24, 15, 41, 7, 0, time.UTC)

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFraming(t *testing.T) {
	const body429 = `{"title":"Too Many Requests","status":429,"detail":"Slow down.","code":"rate_limit_exceeded"}`
	for _, tc := range []struct {
		name    string // where this shape of input comes from
		raw     string
		proto   string
		status  int
		skipped int
		body    int      // body bytes kept
		notes   []string // substrings expected among the notes
	}{
		{"curl -si HTTP/1.1, CRLF", crlf("HTTP/1.1 200 OK\nContent-Type: application/json\n\n{}"), "HTTP/1.1", 200, 0, 2, nil},
		{"LF line ends (pasted from a terminal)", "HTTP/1.1 200 OK\nContent-Type: application/json\n\n{}", "HTTP/1.1", 200, 0, 2, nil},
		{"curl -si over HTTP/2: no reason, lowercase names", crlf("HTTP/2 429 \nretry-after: 12\ncontent-type: application/problem+json\n\n" + body429), "HTTP/2", 429, 0, len(body429), nil},
		{"HTTP/1.0 from an old proxy", "HTTP/1.0 503 Service Unavailable\n\n", "HTTP/1.0", 503, 0, 0, nil},
		{"curl -si with Expect: 100-continue", crlf("HTTP/1.1 100 Continue\n\nHTTP/1.1 201 Created\nContent-Type: application/json\n\n{}"), "HTTP/1.1", 201, 1, 2, nil},
		{"curl -si through an HTTPS proxy", crlf("HTTP/1.1 200 Connection established\n\nHTTP/2 429\nretry-after: 3\n\n"), "HTTP/2", 429, 1, 0, nil},
		{"curl -siL following a redirect", crlf("HTTP/1.1 301 Moved Permanently\nLocation: /v1/balance\n\nHTTP/1.1 200 OK\n\n{\"credits\":1}"), "HTTP/1.1", 200, 1, 13, nil},
		{"blank lines and BOM before the status line", "\ufeff\n\nHTTP/1.1 204 No Content\n\n", "HTTP/1.1", 204, 0, 0, nil},
		{"headers only (curl -sI), no blank line", "HTTP/1.1 200 OK\nX-RateLimit-Limit: 60", "HTTP/1.1", 200, 0, 0, []string{"cut off"}},
		{"body shorter than Content-Length", crlf("HTTP/1.1 429 Too Many Requests\nContent-Length: 500\n\n" + body429[:20]), "HTTP/1.1", 429, 0, 20, []string{"truncated"}},
		{"body longer than Content-Length", "HTTP/1.1 200 OK\nContent-Length: 2\n\n{}garbage", "HTTP/1.1", 200, 0, 2, []string{"extra data"}},
		{"trailing newline after the body is not a problem", "HTTP/1.1 200 OK\nContent-Length: 2\n\n{}\n", "HTTP/1.1", 200, 0, 2, nil},
		{"Content-Length garbage", "HTTP/1.1 200 OK\nContent-Length: lots\n\n{}", "HTTP/1.1", 200, 0, 2, []string{"Content-Length"}},
		{"a line that is not a header", "HTTP/1.1 200 OK\nthis is not a header\nX-A: 1\n\n", "HTTP/1.1", 200, 0, 0, []string{`line 2: "this is not a header" is not a header`}},
		{"obs-fold continuation (RFC 9112 §5.2)", "HTTP/1.1 200 OK\nX-Long: a\n  b\n\n", "HTTP/1.1", 200, 0, 0, nil},
		{"gzip body curl did not decode", "HTTP/1.1 500 Internal Server Error\nContent-Encoding: gzip\n\n\x1f\x8b\x08\x00\xff\xfe", "HTTP/1.1", 500, 0, 6, []string{"curl --compressed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.raw), now)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if r.Proto != tc.proto || r.Status != tc.status || r.Skipped != tc.skipped || r.BodySize != tc.body {
				t.Errorf("got %s %d skipped=%d body=%d, want %s %d skipped=%d body=%d", r.Proto, r.Status, r.Skipped, r.BodySize, tc.proto, tc.status, tc.skipped, tc.body)
			}
			joined := strings.Join(r.Notes, "\n")
			for _, want := range tc.notes {
				if !strings.Contains(joined, want) {
					t.Errorf("notes %q lack %q", r.Notes, want)
				}
			}
			if tc.notes == nil && len(rNotesFraming(r)) > 0 {
				t.Errorf("unexpected notes %q", r.Notes)
			}
			var out bytes.Buffer
			if err := r.Human(&out, false); err != nil {
				t.Fatal(err)
			}
			for _, n := range tc.notes {
				if !strings.Contains(out.String(), n) {
					t.Errorf("Human output does not show note %q:\n%s", n, out.String())
				}
			}
		})
	}
}

// rNotesFraming drops notes from the usage parser, which has its own tests.
func rNotesFraming(r Report) []string {
	return append([]string(nil), r.Notes[:len(r.Notes)-len(r.Snapshot.Problems)]...)
}

func TestObsFoldJoinsValue(t *testing.T) {
	rr, err := splitResponse([]byte("HTTP/1.1 200 OK\nX-Long: a\n\tb\n\n"))
	if err != nil || rr.Header.Get("X-Long") != "a b" {
		t.Fatalf("X-Long = %q, %v", rr.Header.Get("X-Long"), err)
	}
}

func TestNotHTTP(t *testing.T) {
	for _, tc := range []struct {
		name, raw, want string
	}{
		{"empty file", "", "empty input"},
		{"only whitespace", " \n\r\n ", "empty input"},
		{"a JSON body without headers (curl -s without -i)", `{"credits":1}`, `the first line "{\"credits\":1}" is not a status line like "HTTP/1.1 200 OK" (this looks like a body without headers`},
		{"an HTML page", "<!doctype html>\n<html>", "not an HTTP response"},
		{"a request, not a response", "GET /v1/balance HTTP/1.1\nHost: x\n\n", "looks like a request"},
		{"curl -v output", "*   Trying 127.0.0.1:443...\n> GET /v1/balance HTTP/1.1\n", "curl -v"},
		{"status code not numeric", "HTTP/1.1 abc OK\n\n", "no 3-digit status code"},
		{"status code too short", "HTTP/1.1 42\n\n", "no 3-digit status code"},
		{"bad version", "HTTP/x 200 OK\n\n", "not an HTTP version"},
		{"binary", "\x00\x01\x02\xff", "not an HTTP response"},
		{"very long first line", strings.Repeat("x", 5000), "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.raw), now)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") || len(msg) > 200 {
				t.Errorf("error = %q, want one short line containing %q", msg, tc.want)
			}
		})
	}
}

// TestJSONShapeWithoutHeaders pins the exact object of issue 2 item 5 for a
// response that says nothing: every key present, null when unknown.
func TestJSONShapeWithoutHeaders(t *testing.T) {
	for _, tc := range []struct {
		name, raw, want string
	}{
		{"bare 200", "HTTP/1.1 200 OK\n\n",
			`{"status":200,"limits":[],"binding":null,"retry_after_s":null,"body_retry_after_s":null,"wait_s":0,"quota":null,"credits":null,"error":null,"retryable":null,"exhausted":null}`},
		{"balance body gives credits", "HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"credits\":1250.5,\"plan\":\"team\"}",
			`{"status":200,"limits":[],"binding":null,"retry_after_s":null,"body_retry_after_s":null,"wait_s":0,"quota":null,"credits":1250.5,"error":null,"retryable":null,"exhausted":null}`},
		{"a job's credits are a price, not a balance", "HTTP/1.1 201 Created\n\n{\"id\":\"job_1\",\"credits\":20}",
			`{"status":201,"limits":[],"binding":null,"retry_after_s":null,"body_retry_after_s":null,"wait_s":0,"quota":null,"credits":null,"error":null,"retryable":null,"exhausted":null}`},
		{"zero balance is exhausted credits", "HTTP/1.1 200 OK\n\n{\"credits\":0,\"plan\":\"free\"}",
			`{"status":200,"limits":[],"binding":null,"retry_after_s":null,"body_retry_after_s":null,"wait_s":0,"quota":null,"credits":0,"error":null,"retryable":null,"exhausted":"credits"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.raw), now)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("JSON\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestSamples checks the shipped testdata end to end (usage + problem
// parsers included): these are the README's examples.
func TestSamples(t *testing.T) {
	type obj struct {
		Status          int               `json:"status"`
		Limits          []json.RawMessage `json:"limits"`
		Binding         *int              `json:"binding"`
		RetryAfterS     *float64          `json:"retry_after_s"`
		BodyRetryAfterS *float64          `json:"body_retry_after_s"`
		WaitS           *float64          `json:"wait_s"`
		Quota           *QuotaJSON        `json:"quota"`
		Credits         *float64          `json:"credits"`
		Error           *ErrorJSON        `json:"error"`
		Retryable       *bool             `json:"retryable"`
		Exhausted       *string           `json:"exhausted"`
	}
	for _, tc := range []struct {
		file      string
		status    int
		limits    string // the first limit, exact
		wait      *float64
		credits   *float64
		code      string
		message   string
		retryable *bool
		exhausted string
		human     []string
	}{
		{file: "sample-429.txt", status: 429,
			limits: `{"unit":"requests","limit":60,"remaining":0,"used":60,"reset_after_s":12,"scope":null}`,
			wait:   f(12), code: "rate_limit_exceeded", retryable: b(true),
			message: "Rate limit of 60 requests per minute exceeded. Retry after 12 seconds.",
			human: []string{"HTTP/1.1 429 Too Many Requests", "░░░░░░░░░░░░░░░░  0/60 left", "resets in 12s", "15,188/25,000 writes left",
				"rate_limit_exceeded", `"Rate limit of 60 requests per minute exceeded. Retry after 12 seconds."`, "Retry-After: 12s", "rate limited: retry in 12s"}},
		{file: "sample-402.txt", status: 402,
			limits:  `{"unit":"requests","limit":60,"remaining":44,"used":16,"reset_after_s":31,"scope":null}`,
			credits: f(3.5), code: "insufficient_credits", retryable: b(false), exhausted: "credits",
			message: "This job costs 20 credits but your balance is 3.5. Top up or upgrade your plan.",
			human:   []string{"HTTP/2 402 Payment Required", "3.5 credits (X-Credits-Remaining)", "out of credits"}},
		{file: "sample-200-balance.txt", status: 200,
			limits: `{"unit":"requests","limit":60,"remaining":41,"used":19,"reset_after_s":23,"scope":null}`,
			wait:   f(0), credits: f(1250.5),
			human: []string{"███████████░░░░░  41/60 left", "resets in 23s", "1,250.5 credits (balance body)", "success"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r, err := Parse(sample(t, tc.file), now.Add(time.Hour)) // Date must win over now
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(r)
			var o obj
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatal(err)
			}
			if o.Status != tc.status || len(o.Limits) == 0 || string(o.Limits[0]) != tc.limits {
				t.Errorf("status/limits = %d %s\nwant %d %s", o.Status, o.Limits, tc.status, tc.limits)
			}
			if o.Binding == nil || *o.Binding != 0 || o.Quota == nil || *o.Quota.Limit != 25000 {
				t.Errorf("binding/quota = %v %+v", o.Binding, o.Quota)
			}
			if !eqF(o.WaitS, tc.wait) || !eqF(o.Credits, tc.credits) {
				t.Errorf("wait_s = %v credits = %v, want %v %v", p(o.WaitS), p(o.Credits), p(tc.wait), p(tc.credits))
			}
			if (tc.retryable == nil) != (o.Retryable == nil) || tc.retryable != nil && *tc.retryable != *o.Retryable {
				t.Errorf("retryable = %v, want %v", o.Retryable, tc.retryable)
			}
			if got := deref(o.Exhausted); got != tc.exhausted {
				t.Errorf("exhausted = %q, want %q", got, tc.exhausted)
			}
			if tc.code != "" {
				if o.Error == nil || deref(o.Error.Code) != tc.code || deref(o.Error.Message) != tc.message || o.Error.Fields == nil {
					t.Errorf("error = %s", raw)
				}
			} else if o.Error != nil {
				t.Errorf("error = %s, want null", raw)
			}
			var out bytes.Buffer
			if err := r.Human(&out, false); err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.human {
				if !strings.Contains(out.String(), want) {
					t.Errorf("Human output lacks %q:\n%s", want, out.String())
				}
			}
			if strings.Contains(out.String(), "\x1b[") {
				t.Error("colour codes with color=false")
			}
			out.Reset()
			_ = r.Human(&out, true)
			if !strings.Contains(out.String(), "\x1b[") {
				t.Error("no colour codes with color=true")
			}
		})
	}
}

func TestHeaderProblemsExplained(t *testing.T) {
	raw := "HTTP/1.1 429 Too Many Requests\nX-RateLimit-Limit: 60\nX-RateLimit-Remaining: 0\nX-RateLimit-Reset: soon\nRetry-After: 5\n\nnot json at all"
	r, err := Parse([]byte(raw), now)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_ = r.Human(&out, false)
	for _, want := range []string{`Reset: "soon" is not a time`, "0/60 left", "reset unknown", "Problems found in this response"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("Human output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestBar(t *testing.T) {
	for _, tc := range []struct {
		frac float64
		want string
	}{
		{1, "████████████████"}, {0, "░░░░░░░░░░░░░░░░"}, {41.0 / 60, "███████████░░░░░"}, {-1, "················"}, {7, "████████████████"},
	} {
		if got := Bar(tc.frac); got != tc.want {
			t.Errorf("Bar(%v) = %q, want %q", tc.frac, got, tc.want)
		}
	}
}

// FuzzInspect: any input either errors with one line or yields a report
// whose JSON has every key and whose explanation renders.
func FuzzInspect(f *testing.F) {
	for _, s := range []string{"sample-429.txt", "sample-402.txt", "sample-200-balance.txt"} {
		f.Add(sample(f, s))
	}
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/2 429\r\nretry-after: -1\r\nx-ratelimit-reset: 6m0s\r\n\r\n{\"error\":{\"message\":\"x\"}}"))
	f.Add([]byte("HTTP/1.1 200 Connection established\n\nHTTP/1.0 503\nContent-Length: 99\n\n<html>"))
	f.Add([]byte("HTTP/1.1 200 OK\nX-Long: a\n b\nContent-Encoding: gzip\n\n\x1f\x8b"))
	keys := []string{"status", "limits", "binding", "retry_after_s", "body_retry_after_s", "wait_s", "quota", "credits", "error", "retryable", "exhausted"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Parse(raw, now)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("invalid JSON %s: %v", out, err)
		}
		if len(m) != len(keys) {
			t.Fatalf("JSON has %d keys: %s", len(m), out)
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Fatalf("JSON lacks %q: %s", k, out)
			}
		}
		if r.Wait != nil && *r.Wait < 0 {
			t.Fatalf("negative wait %v", *r.Wait)
		}
		var buf bytes.Buffer
		if err := r.Human(&buf, true); err != nil {
			t.Fatal(err)
		}
	})
}

func f(v float64) *float64 { return &v }
func b(v bool) *bool       { return &v }
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
func p(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}
func eqF(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
