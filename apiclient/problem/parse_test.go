package problem

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

func ct(v string) http.Header {
	h := http.Header{}
	if v != "" {
		h.Set("Content-Type", v)
	}
	return h
}

func dur(d time.Duration) *time.Duration { return &d }

func TestParseShapes(t *testing.T) {
	tests := []struct {
		name   string
		status int
		h      http.Header
		body   string
		want   Problem // Status defaults to the status above; Extensions compared when non-nil
	}{
		{
			name: "rfc9457/abstrakt validation_failed with errors[] (seed 000)", status: 422, h: ct("application/problem+json"),
			body: `{"type":"https://api.abstrakt.dev/problems/validation_failed","title":"Validation failed","status":422,
				"detail":"The request body has 2 invalid fields.","instance":"/v1/jobs","code":"validation_failed",
				"errors":[{"pointer":"/input/prompt","detail":"must not be empty"},{"pointer":"/model","detail":"unknown model"}],
				"request_id":"req_123"}`,
			want: Problem{Type: "https://api.abstrakt.dev/problems/validation_failed", Title: "Validation failed",
				Detail: "The request body has 2 invalid fields.", Instance: "/v1/jobs", Code: "validation_failed",
				Fields:  []FieldError{{"/input/prompt", "must not be empty"}, {"/model", "unknown model"}},
				Message: "The request body has 2 invalid fields.", Shape: ShapeProblemJSON,
				Extensions: map[string]any{"request_id": "req_123"}},
		},
		{
			name: "rfc9457/429 rate_limit_exceeded with retry_after extension", status: 429, h: ct("application/problem+json; charset=utf-8"),
			body: `{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"Slow down.","code":"rate_limit_exceeded","retry_after":12}`,
			want: Problem{Type: "about:blank", Title: "Too Many Requests", Detail: "Slow down.", Code: "rate_limit_exceeded",
				Message: "Slow down.", Shape: ShapeProblemJSON, BodyRetryAfter: dur(12 * time.Second)},
		},
		{
			name: "rfc9457/title only: message is the title", status: 401, h: ct("application/problem+json"),
			body: `{"title":"Unauthorized","status":401,"code":"unauthorized"}`,
			want: Problem{Title: "Unauthorized", Code: "unauthorized", Message: "Unauthorized", Shape: ShapeProblemJSON},
		},
		{
			name: "rfc9457/wrong member types: numeric title, string status, numeric code, object detail", status: 0, h: ct("application/problem+json"),
			body: `{"title":404,"status":"404","code":1234,"detail":{"why":"gone"},"instance":["x"]}`,
			want: Problem{Status: 404, Title: "404", Code: "1234", Message: "404", Shape: ShapeProblemJSON,
				Extensions: map[string]any{"detail": map[string]any{"why": "gone"}}},
		},
		{
			name: "seed002/nested CONCURRENT_LIMIT_EXCEEDED with details", status: 429, h: ct("application/json"),
			body: `{"error":{"type":"rate_limit_error","message":"Concurrent prediction limit exceeded. 5/5 predictions running.",
				"code":"CONCURRENT_LIMIT_EXCEEDED","details":{"limit":5,"active":5}}}`,
			want: Problem{Type: "rate_limit_error", Code: "CONCURRENT_LIMIT_EXCEEDED",
				Message: "Concurrent prediction limit exceeded. 5/5 predictions running.", Shape: ShapeNested},
		},
		{
			name: "openai/error object with param and insufficient_quota", status: 429, h: ct("application/json"),
			body: `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`,
			want: Problem{Type: "insufficient_quota", Code: "insufficient_quota",
				Message: "You exceeded your current quota, please check your plan and billing details.", Shape: ShapeNested,
				Extensions: map[string]any{"param": nil}},
		},
		{
			name: "google/error with numeric code and status string", status: 429, h: ct("application/json"),
			body: `{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}`,
			want: Problem{Code: "RESOURCE_EXHAUSTED", Message: "Resource has been exhausted (e.g. check quota).", Shape: ShapeNested},
		},
		{
			name: "plain {\"error\":\"string\"}", status: 500, h: ct("application/json"),
			body: `{"error":"Something went wrong"}`,
			want: Problem{Message: "Something went wrong", Shape: ShapeMessage},
		},
		{
			name: "rfc6749/oauth error with error_description", status: 401, h: ct("application/json"),
			body: `{"error":"invalid_token","error_description":"The access token expired"}`,
			want: Problem{Code: "invalid_token", Message: "The access token expired", Shape: ShapeMessage},
		},
		{
			name: "{\"error\":\"code_word\"} doubles as the code", status: 402, h: ct("application/json"),
			body: `{"error":"insufficient_credits"}`,
			want: Problem{Code: "insufficient_credits", Message: "insufficient_credits", Shape: ShapeMessage},
		},
		{
			name: "{\"message\"} (seed 001 style)", status: 404, h: ct("application/json"),
			body: `{"message":"Job not found"}`,
			want: Problem{Message: "Job not found", Shape: ShapeMessage},
		},
		{
			name: "django-rest-framework/{\"detail\"}", status: 403, h: ct("application/json"),
			body: `{"detail":"Authentication credentials were not provided."}`,
			want: Problem{Detail: "Authentication credentials were not provided.", Message: "Authentication credentials were not provided.", Shape: ShapeDetail},
		},
		{
			name: "fastapi/detail as array of {loc,msg}", status: 422, h: ct("application/json"),
			body: `{"detail":[{"loc":["body","input","prompt"],"msg":"field required","type":"value_error.missing"},{"loc":["query","n"],"msg":"not an int"}]}`,
			want: Problem{Fields: []FieldError{{"/body/input/prompt", "field required"}, {"/query/n", "not an int"}},
				Message: "field required; not an int", Shape: ShapeDetail},
		},
		{
			name: "graphql/errors with extensions.code", status: 200, h: ct("application/json"),
			body: `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]}`,
			want: Problem{Code: "THROTTLED", Fields: []FieldError{{"", "Throttled"}}, Message: "Throttled", Shape: ShapeErrors},
		},
		{
			name: "github/message with field errors", status: 422, h: ct("application/json"),
			body: `{"message":"Validation Failed","errors":[{"resource":"Issue","field":"title","code":"missing_field"}],"documentation_url":"https://docs.github.com/rest"}`,
			want: Problem{Fields: []FieldError{{"/title", "missing_field"}}, Message: "Validation Failed", Shape: ShapeMessage,
				Extensions: map[string]any{"documentation_url": "https://docs.github.com/rest"}},
		},
		{
			name: "jsonapi/errors with source.pointer", status: 422, h: ct("application/vnd.api+json"),
			body: `{"errors":[{"status":"422","source":{"pointer":"/data/attributes/title"},"title":"Invalid Attribute","detail":"Title must contain at least three characters."}]}`,
			want: Problem{Fields: []FieldError{{"/data/attributes/title", "Title must contain at least three characters."}},
				Message: "Title must contain at least three characters.", Shape: ShapeErrors},
		},
		{
			name: "discord/429 body retry_after in decimal seconds", status: 429, h: ct("application/json"),
			body: `{"message":"You are being rate limited.","retry_after":64.57,"global":false}`,
			want: Problem{Message: "You are being rate limited.", Shape: ShapeMessage, BodyRetryAfter: dur(64570 * time.Millisecond)},
		},
		{
			name: "retry_after_ms and retryAfter: the longest wins", status: 429, h: ct("application/json"),
			body: `{"message":"slow","retry_after_ms":1500,"retryAfter":"2"}`,
			want: Problem{Message: "slow", Shape: ShapeMessage, BodyRetryAfter: dur(2 * time.Second)},
		},
		{
			name: "negative and NaN body retry hints are ignored", status: 429, h: ct("application/json"),
			body: `{"message":"slow","retry_after":-5,"retry_after_ms":"NaN"}`,
			want: Problem{Message: "slow", Shape: ShapeMessage},
		},
		{
			name: "plain text from a proxy", status: 502, h: ct("text/plain"),
			body: "upstream connect error or disconnect/reset before headers.\n\treset reason: overflow\x1b[31m",
			want: Problem{Message: "upstream connect error or disconnect/reset before headers. reset reason: overflow", Shape: ShapeText},
		},
		{
			// The page says nothing but its status line and the server's
			// name: neither is the provider's message, the status text is shown.
			name: "nginx/HTML 502 page: boilerplate only", status: 502, h: ct("text/html"),
			body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n",
			want: Problem{Message: "Bad Gateway", Shape: ShapeHTML},
		},
		{
			// nginx limit_req_status 429 default page (ngx_http_special_response.c).
			name: "nginx/bare 429 page without headers", status: 429, h: ct("text/html"),
			body: "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
			want: Problem{Message: "Too Many Requests", Shape: ShapeHTML},
		},
		{
			// https://dnschkr.com/cloudflare-errors/1015 (Cloudflare rate limiting rule page).
			name: "cloudflare/1015 page yields its sentence, not the ray id or title", status: 429, h: ct("text/html"),
			body: `<!doctype html><html><head><title>www.example.com | Error 1015</title></head><body>
				<h1>Error 1015: You are being rate limited</h1>
				<p>You have sent too many requests. Please wait a moment before trying again.</p>
				<p>Cloudflare Ray ID: 7f8a9b0c1d2e3456</p><p>Performance &amp; security by Cloudflare</p></body></html>`,
			want: Problem{Message: "You are being rate limited", Shape: ShapeHTML},
		},
		{
			// Apache httpd's default error page footer is its signature.
			name: "apache/503 page: the sentence, not the signature", status: 503, h: ct("text/html; charset=iso-8859-1"),
			body: `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN"><html><head><title>503 Service Unavailable</title></head><body>
				<h1>Service Unavailable</h1><p>The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.</p>
				<hr><address>Apache/2.4.41 (Ubuntu) Server at api.example.com Port 443</address></body></html>`,
			want: Problem{Message: "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.", Shape: ShapeHTML},
		},
		{
			// express-rate-limit's default 429 (github.com/SecureBananaLabs/bug-bounty/issues/4477),
			// behind a proxy that prefixed the status line.
			name: "text 429 keeps the sentence, drops status line and server", status: 429, h: ct("text/plain"),
			body: "HTTP/1.1 429 Too Many Requests\nnginx\nToo many requests, please try again later.\n",
			want: Problem{Message: "Too many requests, please try again later.", Shape: ShapeText},
		},
		{
			// https://docs.rs/crate/claude-api/0.5.2/source/tests/fixtures/error_rate_limit.json
			// (Anthropic Messages API error shape).
			name: "anthropic/nested type is the code", status: 429, h: ct("application/json"),
			body: `{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit."},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`,
			want: Problem{Type: "rate_limit_error", Code: "rate_limit_error", Message: "Number of requests has exceeded your rate limit.", Shape: ShapeNested,
				Extensions: map[string]any{"type": "error", "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}},
		},
		{
			// Anthropic overloaded (HTTP 529), https://www.developersdigest.tech/errors/api/anthropic-api
			name: "anthropic/overloaded_error", status: 529, h: ct("application/json"),
			body: `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
			want: Problem{Type: "overloaded_error", Code: "overloaded_error", Message: "Overloaded", Shape: ShapeNested},
		},
		{
			// A gateway's {"errors":"…"}: the string is the message (issue 16).
			name: "errors as a sentence", status: 429, h: ct("application/json"),
			body: `{"errors":"Rate limit exceeded. Try again in a few seconds."}`,
			want: Problem{Message: "Rate limit exceeded. Try again in a few seconds.", Shape: ShapeErrors},
		},
		{
			// Discourse render_json_error for RateLimiter::LimitExceeded
			// (https://meta.discourse.org/t/global-rate-limits-and-throttling-in-discourse/78612).
			name: "discourse/errors array of strings, error_type code, extras.wait_seconds", status: 429, h: ct("application/json"),
			body: `{"errors":["You’ve performed this action too many times. Please wait 39 seconds before trying again."],"error_type":"rate_limit","extras":{"wait_seconds":39,"time_left":"39 seconds"}}`,
			want: Problem{Code: "rate_limit", Fields: []FieldError{{"", "You’ve performed this action too many times. Please wait 39 seconds before trying again."}},
				Message: "You’ve performed this action too many times. Please wait 39 seconds before trying again.", Shape: ShapeErrors,
				BodyRetryAfter: dur(39 * time.Second)},
		},
		{
			// https://community.shopify.com/t/throttled/254776 (GraphQL Admin API, throttled).
			name: "shopify-graphql/THROTTLED with cost bucket", status: 200, h: ct("application/json"),
			body: `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],
				"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":666,"restoreRate":50.0}}}}`,
			want: Problem{Code: "THROTTLED", Fields: []FieldError{{"", "Throttled"}}, Message: "Throttled", Shape: ShapeErrors,
				BodyRetryAfter: dur(1720 * time.Millisecond)}, // (752-666)/50 s
		},
		{
			// https://github.com/yanyongyu/githubkit/issues/271 (GitHub GraphQL, HTTP 200).
			name: "github-graphql/RATE_LIMIT type with graphql_rate_limit code", status: 200, h: ct("application/json"),
			body: `{"errors":[{"type":"RATE_LIMIT","code":"graphql_rate_limit","message":"API rate limit already exceeded for user ID 1."}]}`,
			want: Problem{Code: "graphql_rate_limit", Fields: []FieldError{{"", "API rate limit already exceeded for user ID 1."}},
				Message: "API rate limit already exceeded for user ID 1.", Shape: ShapeErrors},
		},
		{
			// https://github.com/github/docs/issues/22607 (GitHub GraphQL, older shape).
			name: "github-graphql/RATE_LIMITED in type only", status: 200, h: ct("application/json"),
			body: `{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}`,
			want: Problem{Code: "RATE_LIMITED", Fields: []FieldError{{"", "API rate limit exceeded for user ID 1."}},
				Message: "API rate limit exceeded for user ID 1.", Shape: ShapeErrors},
		},
		{
			name: "html without content-type, scripts and styles stripped, entities decoded", status: 503, h: nil,
			body: `<!DOCTYPE html><html><head><style>body{color:red}</style><script>var x="<b>";</script></head><body><!-- hidden --><p>Service&nbsp;unavailable &amp; down</p><script>alert(1)</script></body></html>`,
			want: Problem{Message: "Service unavailable & down", Shape: ShapeHTML},
		},
		{
			name: "invalid JSON falls back to text", status: 500, h: ct("application/json"),
			body: `{"error": "truncated`,
			want: Problem{Message: `{"error": "truncated`, Shape: ShapeInvalidJSON},
		},
		{
			name: "two JSON values are invalid JSON", status: 500, h: ct("application/json"),
			body: `{"a":1}{"b":2}`,
			want: Problem{Message: `{"a":1}{"b":2}`, Shape: ShapeInvalidJSON},
		},
		{
			name: "empty body: status text", status: 503, h: nil, body: " \r\n",
			want: Problem{Message: "Service Unavailable", Shape: ShapeEmpty},
		},
		{
			name: "empty body with a non-standard status", status: 599, h: nil, body: "",
			want: Problem{Message: "HTTP 599", Shape: ShapeEmpty},
		},
		{
			name: "JSON object of unknown shape keeps its members", status: 400, h: ct("application/json"),
			body: `{"ok":false,"reason":7}`,
			want: Problem{Message: "Bad Request", Shape: ShapeJSON, Extensions: map[string]any{"ok": false}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.status, tt.h, []byte(tt.body))
			w := tt.want
			if w.Status == 0 {
				w.Status = tt.status
			}
			if got.Status != w.Status || got.Type != w.Type || got.Title != w.Title || got.Detail != w.Detail ||
				got.Instance != w.Instance || got.Code != w.Code || got.Message != w.Message || got.Shape != w.Shape {
				t.Errorf("got  %+v\nwant %+v", *got, w)
			}
			if len(got.Fields) != 0 || len(w.Fields) != 0 {
				if !reflect.DeepEqual(got.Fields, w.Fields) {
					t.Errorf("fields = %+v, want %+v", got.Fields, w.Fields)
				}
			}
			if (got.BodyRetryAfter == nil) != (w.BodyRetryAfter == nil) ||
				got.BodyRetryAfter != nil && *got.BodyRetryAfter != *w.BodyRetryAfter {
				t.Errorf("body retry after = %v, want %v", got.BodyRetryAfter, w.BodyRetryAfter)
			}
			for k, v := range w.Extensions {
				if gv, ok := got.Extensions[k]; !ok || !reflect.DeepEqual(gv, v) {
					t.Errorf("extension %q = %#v, want %#v (all: %v)", k, gv, v, got.Extensions)
				}
			}
		})
	}
}

func TestParseSeed002DetailsFlattenedIntoExtensions(t *testing.T) {
	p := Parse(429, nil, []byte(`{"error":{"type":"rate_limit_error","message":"m","code":"CONCURRENT_LIMIT_EXCEEDED","details":{"limit":5,"active":5}}}`))
	if p.Extensions["limit"] == nil || p.Extensions["active"] == nil {
		t.Errorf("extensions = %v", p.Extensions)
	}
	if n, ok := integer(p.Extensions["active"]); !ok || n != 5 {
		t.Errorf("active = %v", p.Extensions["active"])
	}
}

func TestParseExcerptIsShortAndRuneSafe(t *testing.T) {
	long := strings.Repeat("é", 500)
	for _, body := range []string{long, "<html><body>" + long + "</body></html>", `{"broken` + long} {
		p := Parse(500, nil, []byte(body))
		if n := utf8.RuneCountInString(p.Message); n > maxExcerpt {
			t.Errorf("%s: message has %d runes", p.Shape, n)
		}
		if !utf8.ValidString(p.Message) || !strings.HasSuffix(p.Message, "…") {
			t.Errorf("%s: message %q", p.Shape, p.Message)
		}
	}
}

func TestParseNeverNil(t *testing.T) {
	for _, body := range []string{"", "null", "42", `"just a string"`, "[]", "[1,2]", "{}", "\xff\xfe", "<", "<<<>>>"} {
		p := Parse(418, nil, []byte(body))
		if p == nil || p.Message == "" || p.Shape == "" {
			t.Errorf("Parse(%q) = %+v", body, p)
		}
	}
}

func TestParseBodyLimitsAndBalance(t *testing.T) {
	i := func(n int64) *int64 { return &n }
	tests := []struct {
		name    string
		status  int
		body    string
		want    []usage.Limit
		balance *float64
	}{
		{
			// https://community.shopify.com/t/throttled/254776
			name: "shopify-graphql/throttleStatus is a points bucket", status: 200,
			body: `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":666,"restoreRate":50.0}}}}`,
			want: []usage.Limit{{Unit: usage.UnitPoints, Source: usage.SourceGraphQLCost, Limit: i(1000), Remaining: i(666), Used: i(334),
				Cost: i(752), RestoreRate: fl(50), ResetAfter: dur(6680 * time.Millisecond), Window: dur(20 * time.Second)}},
		},
		{
			// RFC 9457 §3 example (out-of-credit): "balance" is a credit balance.
			name: "rfc9457/balance extension", status: 403,
			body:    `{"type":"https://example.com/probs/out-of-credit","title":"You do not have enough credit.","detail":"Your current balance is 30, but that costs 50.","instance":"/account/12345/msgs/abc","balance":30,"accounts":["/account/12345","/account/67890"]}`,
			balance: fl(30),
		},
		{
			// A problem+json 429 stating its window in members (issue 16;
			// Fly.io Sprites' 429 carries limit/window_seconds/retry_after_seconds,
			// https://github.com/superfly/sprites-js/pull/12).
			name: "rfc9457/limit remaining reset window members", status: 429,
			body: `{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"Quota exceeded, slow down.","limit":10,"remaining":0,"reset":4,"window_seconds":5}`,
			want: []usage.Limit{{Unit: usage.UnitRequests, Source: usage.SourceBody, Limit: i(10), Remaining: i(0), ResetAfter: dur(4 * time.Second), Window: dur(5 * time.Second)}},
		},
		{
			// Seed 002: details.limit is a concurrency limit, not a rate limit.
			name: "seed002/details.limit alone states no rate limit", status: 429,
			body: `{"error":{"type":"rate_limit_error","message":"m","code":"CONCURRENT_LIMIT_EXCEEDED","details":{"limit":5,"active":5}}}`,
		},
		{
			name: "garbage members are ignored", status: 429,
			body: `{"title":"x","remaining":-3,"limit":"lots","balance":"NaN","extensions":{"cost":{"throttleStatus":{"maximumAvailable":-1,"currentlyAvailable":5,"restoreRate":0}}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Parse(tt.status, ct("application/json"), []byte(tt.body))
			if !reflect.DeepEqual(p.Limits, tt.want) {
				t.Errorf("limits = %s\nwant     %s", fmtLimits(p.Limits), fmtLimits(tt.want))
			}
			if (p.Balance == nil) != (tt.balance == nil) || p.Balance != nil && *p.Balance != *tt.balance {
				t.Errorf("balance = %v, want %v", p.Balance, tt.balance)
			}
		})
	}
}

func fl(f float64) *float64 { return &f }

func fmtLimits(ls []usage.Limit) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "{%s %s limit=%v rem=%v used=%v cost=%v restore=%v reset=%v window=%v}", l.Unit, l.Source,
			deref(l.Limit), deref(l.Remaining), deref(l.Used), deref(l.Cost), deref(l.RestoreRate), deref(l.ResetAfter), deref(l.Window))
	}
	return b.String()
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
