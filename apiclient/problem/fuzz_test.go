package problem

import (
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

var bodySeeds = []struct {
	status int
	ct     string
	body   string
}{
	{422, "application/problem+json", `{"type":"about:blank","title":"Validation failed","status":422,"detail":"bad","code":"validation_failed","errors":[{"pointer":"/input/prompt","detail":"must not be empty"}],"x":{"y":[1,2]}}`},
	{429, "application/json", `{"error":{"type":"rate_limit_error","message":"Concurrent prediction limit exceeded. 5/5 predictions running.","code":"CONCURRENT_LIMIT_EXCEEDED","details":{"limit":5,"active":5}}}`},
	{429, "application/json", `{"error":{"message":"quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`},
	{429, "application/json", `{"error":{"code":429,"message":"x","status":"RESOURCE_EXHAUSTED","details":[{"@type":"t"}]}}`},
	{401, "application/json", `{"error":"invalid_token","error_description":"expired"}`},
	{404, "application/json", `{"message":"nope","retry_after":"6m0s"}`},
	{422, "application/json", `{"detail":[{"loc":["body",0,"a/b~c"],"msg":"x"}]}`},
	{200, "application/json", `{"errors":[{"message":"Throttled","path":["a",1],"extensions":{"code":"THROTTLED"}}]}`},
	{422, "application/vnd.api+json", `{"errors":[{"source":{"parameter":"page"},"title":"t"}]}`},
	{429, "application/json", `{"message":"slow","retry_after":1e308,"retry_after_ms":-1,"retryAfter":"NaN"}`},
	{502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"},
	{503, "", "<!DOCTYPE html><script>x</script><style>y</style><!-- z --><p>a &amp; b"},
	{500, "text/plain", "upstream error \x1b]0;title\x07 \x1b[31mred\xff\xfe"},
	{500, "application/json", `{"error": "trunc`},
	{0, "", ""},
	{418, "application/problem+json", `{"title":7,"status":"x","detail":null,"errors":"no"}`},
	{429, "", `[{"message":"a"},"b",3,null]`},
	// Issue 16 shapes.
	{429, "application/json", `{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit."},"request_id":"req_1"}`},
	{429, "application/json", `{"errors":"Rate limit exceeded. Try again in a few seconds."}`},
	{429, "application/json", `{"errors":["You’ve performed this action too many times."],"error_type":"rate_limit","extras":{"wait_seconds":39,"time_left":"39 seconds"}}`},
	{200, "application/json", `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":666,"restoreRate":50.0}}}}`},
	{200, "application/json", `{"errors":[{"type":"RATE_LIMITED","code":"graphql_rate_limit","message":"API rate limit exceeded"}]}`},
	{403, "application/problem+json", `{"type":"https://example.com/probs/out-of-credit","title":"t","balance":30,"limit":"1e400","remaining":0,"reset":4,"window_seconds":5}`},
	{429, "text/html", "<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too Many Requests</h1></center><hr><center>nginx</center></body></html>"},
	{429, "text/html", "<title>x | Error 1015</title><h1>Error 1015: You are being rate limited</h1><p>Cloudflare Ray ID: 7f8a</p>"},
	{429, "text/plain", "HTTP/1.1 429 Too Many Requests\nnginx/1.25.3\nToo many requests."},
}

func FuzzParseErrorBody(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add(s.status, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte) {
		h := http.Header{}
		h.Set("Content-Type", ct)
		p := Parse(status, h, body)
		if p == nil {
			t.Fatal("nil problem")
		}
		if p.Shape == "" || p.Message == "" {
			t.Fatalf("empty shape or message: %+v", p)
		}
		if p.BodyRetryAfter != nil && *p.BodyRetryAfter < 0 {
			t.Fatalf("negative body retry-after %v", *p.BodyRetryAfter)
		}
		switch p.Shape {
		case ShapeText, ShapeHTML, ShapeInvalidJSON:
			if utf8.RuneCountInString(p.Message) > maxExcerpt || !utf8.ValidString(p.Message) {
				t.Fatalf("excerpt not clean: %q", p.Message)
			}
			for _, r := range p.Message {
				if r < 0x20 || r == 0x7f {
					t.Fatalf("control character in excerpt %q", p.Message)
				}
			}
		}
		_ = Throttled(status, h, body) // must not panic on any body
		c := Classify(p, usage.Snapshot{Binding: -1})
		if c.Wait < 0 {
			t.Fatalf("negative wait %v", c.Wait)
		}
		if status == 429 && !c.Retryable && c.Exhausted == ExhaustedNone {
			t.Fatalf("a 429 not retryable without an exhaustion: %+v", c)
		}
		for _, l := range p.Limits {
			if l.Remaining == nil || *l.Remaining < 0 || l.Limit != nil && *l.Limit < *l.Remaining ||
				l.ResetAfter != nil && *l.ResetAfter < 0 || l.Window != nil && *l.Window <= 0 {
				t.Fatalf("bad body limit %+v", l)
			}
		}
		if c.Exhausted != ExhaustedNone && c.Retryable {
			t.Fatalf("exhausted yet retryable: %+v", c)
		}
	})
}

// BenchmarkParseProblem measures a typical abstrakt problem+json body.
func BenchmarkParseProblem(b *testing.B) {
	h := http.Header{}
	h.Set("Content-Type", "application/problem+json")
	body := []byte(bodySeeds[0].body)
	b.ReportAllocs()
	for b.Loop() {
		Parse(422, h, body)
	}
}
