package problem

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

var serverNow = time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)

func unixAt(offset int64) string { return strconv.FormatInt(serverNow.Unix()+offset, 10) }

// snap parses name/value header pairs into a Snapshot at a fixed Date.
func snap(kv ...string) usage.Snapshot {
	h := http.Header{}
	h.Set("Date", serverNow.Format(http.TimeFormat))
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return usage.Parse(h, serverNow)
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		s      usage.Snapshot
		want   Class
	}{
		{"api.md/429 rate_limit_exceeded waits Retry-After", 429,
			`{"title":"Too Many Requests","code":"rate_limit_exceeded","detail":"Slow down"}`,
			snap("Retry-After", "12", "X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "10", "X-RateLimit-Reset", "30"),
			Class{Kind: KindRateLimit, Retryable: true, Wait: 12 * time.Second}},
		{"issue 2 example/429 waits for the later of Retry-After and the exhausted window's reset", 429,
			`{"title":"Too Many Requests","code":"rate_limit_exceeded","detail":"Slow down"}`,
			snap("Retry-After", "12", "X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "12.5"),
			Class{Kind: KindRateLimit, Retryable: true, Wait: 12500 * time.Millisecond}},
		{"seed001/429 without Retry-After waits for the binding limit's reset", 429,
			`{"message":"Too many requests"}`,
			snap("X-RateLimit-Limit", "10", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", unixAt(30)),
			Class{Kind: KindRateLimit, Retryable: true, Wait: 30 * time.Second}},
		{"429 body retry_after longer than the header wins", 429,
			`{"message":"slow","retry_after":20}`, snap("Retry-After", "5"),
			Class{Kind: KindRateLimit, Retryable: true, Wait: 20 * time.Second}},
		{"github/403 with remaining 0 is a rate limit, not auth", 403,
			`{"message":"API rate limit exceeded for user ID 1."}`,
			snap("x-ratelimit-limit", "5000", "x-ratelimit-remaining", "0", "x-ratelimit-reset", unixAt(60)),
			Class{Kind: KindRateLimit, Retryable: true, Wait: time.Minute}},
		{"github/403 secondary rate limit by words", 403,
			`{"message":"You have exceeded a secondary rate limit."}`, snap("Retry-After", "60"),
			Class{Kind: KindRateLimit, Retryable: true, Wait: time.Minute}},
		{"api.md/429 quota_exceeded stops the queue until X-Quota-Reset", 429,
			`{"title":"Quota exceeded","code":"quota_exceeded"}`,
			snap("X-Quota-Limit", "25000", "X-Quota-Remaining", "0", "X-Quota-Reset", "Wed, 25 Nov 2026 19:00:00 GMT", "Retry-After", "60"),
			Class{Kind: KindQuota, Exhausted: ExhaustedQuota, Wait: 24 * time.Hour}},
		{"429 without a code while the monthly quota is at 0 and the rate limit is not", 429, ``,
			snap("X-Quota-Remaining", "0", "X-Quota-Reset", "3600", "X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "30"),
			Class{Kind: KindQuota, Exhausted: ExhaustedQuota, Wait: time.Hour}},
		{"api.md/402 insufficient_credits", 402, `{"title":"Payment Required","code":"insufficient_credits"}`, snap(),
			Class{Kind: KindCredits, Exhausted: ExhaustedCredits}},
		{"openai/429 insufficient_quota is billing: not retryable", 429,
			`{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`,
			snap("Retry-After", "1"), Class{Kind: KindCredits, Exhausted: ExhaustedCredits, Wait: time.Second}},
		{"400 billing_hard_limit_reached", 400,
			`{"error":{"message":"Billing hard limit has been reached","type":"invalid_request_error","code":"billing_hard_limit_reached"}}`,
			snap(), Class{Kind: KindCredits, Exhausted: ExhaustedCredits}},
		{"403 out of credits said in words only", 403, `{"message":"Your credit balance is too low"}`, snap(),
			Class{Kind: KindCredits, Exhausted: ExhaustedCredits}},
		{"seed002/429 CONCURRENT_LIMIT_EXCEEDED is retryable concurrency", 429,
			`{"error":{"type":"rate_limit_error","message":"Concurrent prediction limit exceeded. 5/5 predictions running.","code":"CONCURRENT_LIMIT_EXCEEDED","details":{"limit":5,"active":5}}}`,
			snap("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "45"),
			Class{Kind: KindConcurrency, Retryable: true}},
		{"429 lock held is retryable", 429, `{"code":"resource_locked","detail":"Resource is locked by another request"}`, snap("Retry-After", "2"),
			Class{Kind: KindRateLimit, Retryable: true, Wait: 2 * time.Second}},
		{"stripe/409 idempotency_key_in_use is retryable", 409,
			`{"error":{"code":"idempotency_key_in_use","message":"There is currently another in-progress request using this Idempotent Key.","type":"invalid_request_error"}}`,
			snap(), Class{Kind: KindConflict, Retryable: true}},
		{"api.md/409 conflict canceling a running job is final", 409,
			`{"title":"Conflict","code":"conflict","detail":"Job job_1 is already running"}`, snap(),
			Class{Kind: KindConflict}},
		{"api.md/500 internal_error retries with backoff", 500, `{"title":"Internal Server Error","code":"internal_error"}`, snap(),
			Class{Kind: KindServer, Retryable: true}},
		{"503 with Retry-After HTTP-date", 503, "<html><title>Service Unavailable</title></html>",
			snap("Retry-After", "Tue, 24 Nov 2026 19:02:00 GMT"),
			Class{Kind: KindServer, Retryable: true, Wait: 2 * time.Minute}},
		{"api.md/401 unauthorized stops everything", 401, `{"title":"Unauthorized","code":"unauthorized"}`, snap(),
			Class{Kind: KindAuth}},
		{"plain 403 is auth", 403, `Forbidden`, snap("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "59"),
			Class{Kind: KindAuth}},
		{"api.md/402 plan_required", 402, `{"title":"Payment Required","code":"plan_required"}`, snap(),
			Class{Kind: KindPlan}},
		{"api.md/422 validation_failed is final", 422, `{"title":"Unprocessable","code":"validation_failed"}`, snap(),
			Class{Kind: KindOther}},
		{"api.md/404 not_found is final", 404, `{"title":"Not Found","code":"not_found"}`, snap(),
			Class{Kind: KindOther}},
		{"408 request timeout is transient", 408, ``, snap(), Class{Kind: KindServer, Retryable: true}},
		{"anthropic/429 nested type rate_limit_error (docs.rs claude-api fixture error_rate_limit.json)", 429,
			`{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit."}}`,
			snap("retry-after", "7"), Class{Kind: KindRateLimit, Retryable: true, Wait: 7 * time.Second}},
		{"issue 16/detail says quota, headers say a 5 s window: a rate limit", 429,
			`{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"Quota exceeded for this key."}`,
			snap("RateLimit-Policy", "10;w=5", "RateLimit-Limit", "10", "RateLimit-Remaining", "0", "RateLimit-Reset", "4"),
			Class{Kind: KindRateLimit, Retryable: true, Wait: 4 * time.Second}},
		{"issue 16/429 whose words say monthly quota, no code, no headers: still retryable", 429,
			`Monthly quota exhausted`, snap(), Class{Kind: KindRateLimit, Retryable: true}},
		{"nginx/bare 429 page, no headers: retryable with no hint", 429,
			"<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too Many Requests</h1></center><hr><center>nginx</center></body></html>",
			snap(), Class{Kind: KindRateLimit, Retryable: true}},
		{"shopify-graphql/200 THROTTLED waits until the requested cost is restored (community.shopify.com/t/throttled/254776)", 200,
			`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":666,"restoreRate":50.0}}}}`,
			snap(), Class{Kind: KindRateLimit, Retryable: true, Wait: 1720 * time.Millisecond}},
		{"github-graphql/200 RATE_LIMITED (github/docs#22607)", 200,
			`{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}`,
			snap("x-ratelimit-limit", "5000", "x-ratelimit-remaining", "0", "x-ratelimit-reset", unixAt(90)),
			Class{Kind: KindRateLimit, Retryable: true, Wait: 90 * time.Second}},
		{"graphql/200 with an ordinary error is not a failure of the transport", 200,
			`{"errors":[{"message":"Field 'x' doesn't exist on type 'Query'","extensions":{"code":"undefinedField"}}]}`,
			snap(), Class{}},
		{"discourse/429 error_type rate_limit waits extras.wait_seconds (meta.discourse.org/t/78612)", 429,
			`{"errors":["You’ve performed this action too many times. Please wait 39 seconds before trying again."],"error_type":"rate_limit","extras":{"wait_seconds":39}}`,
			snap(), Class{Kind: KindRateLimit, Retryable: true, Wait: 39 * time.Second}},
		{"rfc9457/429 with remaining 0 and reset members waits for that reset", 429,
			`{"title":"Too Many Requests","status":429,"limit":10,"remaining":0,"reset":4}`,
			snap(), Class{Kind: KindRateLimit, Retryable: true, Wait: 4 * time.Second}},
		{"google/429 per-minute quota wording is a rate limit", 429,
			`{"error":{"code":429,"message":"Quota exceeded for quota metric 'Requests' and limit 'Requests per minute'","status":"RESOURCE_EXHAUSTED"}}`,
			snap(), Class{Kind: KindRateLimit, Retryable: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Parse(tt.status, nil, []byte(tt.body))
			if got := Classify(p, tt.s); got != tt.want {
				t.Errorf("Classify = %+v, want %+v (problem %+v)", got, tt.want, *p)
			}
		})
	}
}

func TestClassifyNil(t *testing.T) {
	if got := Classify(nil, usage.Snapshot{Binding: -1}); got != (Class{}) {
		t.Errorf("Classify(nil) = %+v", got)
	}
}
