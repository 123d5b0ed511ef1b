package problem

import (
	"net/http"
	"testing"
)

func TestThrottled(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   bool
	}{
		{"shopify-graphql/200 THROTTLED with its cost bucket (shopify.dev/docs/api/usage/rate-limits)", 200,
			`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":666,"restoreRate":50.0}}}}`, true},
		{"github-graphql/200 RATE_LIMITED in type (docs.github.com/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api)", 200,
			`{"errors":[{"type":"RATE_LIMITED","code":"graphql_rate_limit","message":"API rate limit exceeded for user ID 1."}]}`, true},
		{"graphql/200 validation error is an answer, not a throttle", 200,
			`{"data":null,"errors":[{"message":"Field 'x' doesn't exist","extensions":{"code":"undefinedField"}}]}`, false},
		{"abstrakt/201 job whose output mentions errors and whose error is a rate limit upstream", 201,
			`{"id":"job_1","status":"failed","output":{"text":"\"errors\": none"},"error":{"type":"about:blank","title":"Too Many Requests","status":429,"code":"rate_limit_exceeded"}}`, false},
		{"abstrakt/200 balance", 200, `{"plan":"pro","credits":12.5}`, false},
		{"a 429 is a rejection already, not a disguised one", 429,
			`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			h.Set("Content-Type", "application/json")
			if got := Throttled(tc.status, h, []byte(tc.body)); got != tc.want {
				t.Errorf("Throttled = %t, want %t", got, tc.want)
			}
		})
	}
}
