package usage

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

const dateHeader = "Tue, 24 Nov 2026 19:00:00 GMT"

// received is the local clock, 2 s behind the server (skew = +2s).
var received = ref.Add(-2 * time.Second)

// hdr builds an http.Header from name/value pairs, adding (not setting) so
// duplicates can be tested.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// want describes one expected Limit compactly; -1 means "nil".
type want struct {
	unit, source, scope string
	limit, remaining    int64
	used                int64
	reset               time.Duration
	window              time.Duration
}

func (w want) String() string {
	return fmt.Sprintf("%s/%s scope=%q limit=%d remaining=%d used=%d reset=%v window=%v",
		w.unit, w.source, w.scope, w.limit, w.remaining, w.used, w.reset, w.window)
}

func got(l Limit) want {
	n := func(p *int64) int64 {
		if p == nil {
			return -1
		}
		return *p
	}
	d := func(p *time.Duration) time.Duration {
		if p == nil {
			return -1
		}
		return *p
	}
	return want{l.Unit, l.Source, l.Scope, n(l.Limit), n(l.Remaining), n(l.Used), d(l.ResetAfter), d(l.Window)}
}

const none = -1

func TestParseFamilies(t *testing.T) {
	tests := []struct {
		name    string
		h       http.Header
		want    []want
		binding int
	}{
		{
			name: "seed000/abstrakt X-RateLimit-* with RFC 7231 date reset",
			h: hdr("Date", dateHeader, "X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "42",
				"X-RateLimit-Reset", "Tue, 24 Nov 2026 19:00:45 GMT"),
			want:    []want{{UnitRequests, SourceXRateLimit, "", 60, 42, 18, 45 * time.Second, none}},
			binding: 0,
		},
		{
			name: "seed001/X-RateLimit-Reset as Unix timestamp",
			h: hdr("Date", dateHeader, "X-RateLimit-Limit", "10", "X-RateLimit-Remaining", "0",
				"X-RateLimit-Reset", unix(12)),
			want: []want{{UnitRequests, SourceXRateLimit, "", 10, 0, 10, 12 * time.Second, none}},
		},
		{
			name: "seed003/points budget: X-RateLimit-Cost marks the unit as points",
			h: hdr("Date", dateHeader, "X-RateLimit-Limit", "1000", "X-RateLimit-Remaining", "993",
				"X-RateLimit-Cost", "5", "X-RateLimit-Reset", "Tue, 24 Nov 2026 19:00:20 GMT"),
			want: []want{{UnitPoints, SourceXRateLimit, "", 1000, 993, 7, 20 * time.Second, none}},
		},
		{
			name: "seed003/points budget named by X-RateLimit-Unit",
			h:    hdr("X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "97", "X-RateLimit-Unit", "points"),
			want: []want{{UnitPoints, SourceXRateLimit, "", 100, 97, 3, none, none}},
		},
		{
			name: "x-points/X-Points-* beside a requests limit",
			h: hdr("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "59",
				"X-Points-Limit", "100", "X-Points-Remaining", "10", "X-Points-Reset", "30"),
			want: []want{
				{UnitRequests, SourceXRateLimit, "", 60, 59, 1, none, none},
				{UnitPoints, SourcePoints, "", 100, 10, 90, 30 * time.Second, none},
			},
			binding: 1,
		},
		{
			name: "openai/x-ratelimit-{limit,remaining,reset}-{requests,tokens} (6m0s, 20ms)",
			h: hdr("x-ratelimit-limit-requests", "5000", "x-ratelimit-remaining-requests", "4999",
				"x-ratelimit-reset-requests", "12ms", "x-ratelimit-limit-tokens", "160000",
				"x-ratelimit-remaining-tokens", "1000", "x-ratelimit-reset-tokens", "6m0s"),
			want: []want{
				{UnitRequests, SourceOpenAI, "", 5000, 4999, 1, 12 * time.Millisecond, none},
				{UnitTokens, SourceOpenAI, "", 160000, 1000, 159000, 6 * time.Minute, none},
			},
			binding: 1,
		},
		{
			name: "openai/tokens_usage_based dimension kept under its own name",
			h: hdr("x-ratelimit-limit-tokens_usage_based", "160000", "x-ratelimit-remaining-tokens_usage_based", "159976",
				"x-ratelimit-reset-tokens_usage_based", "9ms"),
			want: []want{{"tokens_usage_based", SourceOpenAI, "", 160000, 159976, 24, 9 * time.Millisecond, none}},
		},
		{
			name: "anthropic/anthropic-ratelimit-* requests, tokens, input and output tokens (RFC 3339 resets)",
			h: hdr("Date", dateHeader,
				"anthropic-ratelimit-requests-limit", "50", "anthropic-ratelimit-requests-remaining", "49",
				"anthropic-ratelimit-requests-reset", "2026-11-24T19:00:01Z",
				"anthropic-ratelimit-tokens-limit", "40000", "anthropic-ratelimit-tokens-remaining", "39000",
				"anthropic-ratelimit-tokens-reset", "2026-11-24T19:00:02Z",
				"anthropic-ratelimit-input-tokens-limit", "30000", "anthropic-ratelimit-input-tokens-remaining", "3000",
				"anthropic-ratelimit-input-tokens-reset", "2026-11-24T19:00:30Z",
				"anthropic-ratelimit-output-tokens-limit", "8000", "anthropic-ratelimit-output-tokens-remaining", "8000",
				"anthropic-ratelimit-output-tokens-reset", "2026-11-24T19:00:00Z",
				"anthropic-ratelimit-unified-status", "allowed"),
			want: []want{
				{UnitRequests, SourceAnthropic, "", 50, 49, 1, time.Second, none},
				{UnitTokens, SourceAnthropic, "", 40000, 39000, 1000, 2 * time.Second, none},
				{UnitInputTokens, SourceAnthropic, "", 30000, 3000, 27000, 30 * time.Second, none},
				{UnitOutputTokens, SourceAnthropic, "", 8000, 8000, 0, 0, none},
			},
			binding: 2,
		},
		{
			name: "twitter/x-rate-limit-* with Unix epoch reset",
			h: hdr("Date", dateHeader, "x-rate-limit-limit", "900", "x-rate-limit-remaining", "899",
				"x-rate-limit-reset", unix(900)),
			want: []want{{UnitRequests, SourceTwitter, "", 900, 899, 1, 15 * time.Minute, none}},
		},
		{
			name: "discord/X-RateLimit-Reset-After decimal seconds wins over Reset, bucket as scope",
			h: hdr("Date", dateHeader, "X-RateLimit-Limit", "5", "X-RateLimit-Remaining", "0",
				"X-RateLimit-Reset", unix(2), "X-RateLimit-Reset-After", "1.75",
				"X-RateLimit-Bucket", "abcd1234"),
			want: []want{{UnitRequests, SourceXRateLimit, "bucket:abcd1234", 5, 0, 5, 1750 * time.Millisecond, none}},
		},
		{
			name: "discord/X-RateLimit-Scope user on a 429",
			h: hdr("X-RateLimit-Limit", "5", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "64.57",
				"X-RateLimit-Bucket", "abcd1234", "X-RateLimit-Scope", "user"),
			want: []want{{UnitRequests, SourceXRateLimit, "user", 5, 0, 5, 64570 * time.Millisecond, none}},
		},
		{
			name: "discord/X-RateLimit-Global true",
			h:    hdr("X-RateLimit-Global", "true", "X-RateLimit-Reset-After", "3", "X-RateLimit-Remaining", "0"),
			want: []want{{UnitRequests, SourceXRateLimit, "global", none, 0, none, 3 * time.Second, none}},
		},
		{
			name: "github/x-ratelimit-used and x-ratelimit-resource",
			h: hdr("Date", dateHeader, "x-ratelimit-limit", "5000", "x-ratelimit-remaining", "4987",
				"x-ratelimit-used", "13", "x-ratelimit-reset", unix(3600), "x-ratelimit-resource", "core"),
			want: []want{{UnitRequests, SourceXRateLimit, "core", 5000, 4987, 13, time.Hour, none}},
		},
		{
			name: "github/remaining derived from used",
			h:    hdr("x-ratelimit-limit", "60", "x-ratelimit-used", "59"),
			want: []want{{UnitRequests, SourceXRateLimit, "", 60, 1, 59, none, none}},
		},
		{
			name: "shopify/X-Shopify-Shop-Api-Call-Limit 32/40",
			h:    hdr("X-Shopify-Shop-Api-Call-Limit", "32/40"),
			want: []want{{UnitRequests, SourceShopify, "shop", 40, 8, 32, none, none}},
		},
		{
			name: "ietf draft-06/separate RateLimit-Limit, -Remaining, -Reset fields with RateLimit-Policy",
			h: hdr("RateLimit-Limit", "100", "RateLimit-Remaining", "50", "RateLimit-Reset", "30",
				"RateLimit-Policy", "100;w=60"),
			want: []want{{UnitRequests, SourceIETFFields, "", 100, 50, 50, 30 * time.Second, time.Minute}},
		},
		{
			name: "ietf draft-03/RateLimit-Limit list with window",
			h:    hdr("RateLimit-Limit", "10, 10;w=1, 50;w=60", "RateLimit-Remaining", "9", "RateLimit-Reset", "1"),
			want: []want{{UnitRequests, SourceIETFFields, "", 10, 9, 1, time.Second, time.Second}},
		},
		{
			name: "gitlab/RateLimit-Reset as Unix seconds (heuristic)",
			h:    hdr("Date", dateHeader, "RateLimit-Limit", "60", "RateLimit-Remaining", "0", "RateLimit-Reset", unix(30)),
			want: []want{{UnitRequests, SourceIETFFields, "", 60, 0, 60, 30 * time.Second, none}},
		},
		{
			name: "ietf draft-07/RateLimit dictionary with RateLimit-Policy",
			h:    hdr("RateLimit", "limit=10, remaining=5, reset=3", "RateLimit-Policy", "10;w=1, 100;w=60"),
			want: []want{{UnitRequests, SourceIETFDict, "", 10, 5, 5, 3 * time.Second, time.Second}},
		},
		{
			name: "ietf draft-08/structured RateLimit and RateLimit-Policy joined by name",
			h:    hdr("RateLimit", `"default";r=50;t=30`, "RateLimit-Policy", `"default";q=100;w=60`),
			want: []want{{UnitRequests, SourceIETF, "default", 100, 50, 50, 30 * time.Second, time.Minute}},
		},
		{
			name: "ietf draft-08/two policies and a quota unit",
			h: hdr("RateLimit", `"burst";r=2;t=1, "day";r=900;t=3600`,
				"RateLimit-Policy", `"burst";q=10;w=1, "day";q=1000;w=86400, "bytes";q=1000000;qu="content-bytes";w=3600`),
			want: []want{
				{UnitRequests, SourceIETF, "burst", 10, 2, 8, time.Second, time.Second},
				{UnitRequests, SourceIETF, "day", 1000, 900, 100, time.Hour, 24 * time.Hour},
				{"content_bytes", SourceIETF, "bytes", 1000000, none, none, none, time.Hour},
			},
			binding: 0,
		},
		{
			name: "dedupe/express-rate-limit sends X-RateLimit-* and draft RateLimit-* for one dimension",
			h: hdr("X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "99", "X-RateLimit-Reset", unix(60),
				"RateLimit-Limit", "100", "RateLimit-Remaining", "99", "RateLimit-Reset", "60", "Date", dateHeader),
			want: []want{{UnitRequests, SourceIETFFields, "", 100, 99, 1, time.Minute, none}},
		},
		{
			name: "dedupe/openai requests preferred over generic X-RateLimit, gaps filled",
			h: hdr("x-ratelimit-limit-requests", "60", "x-ratelimit-remaining-requests", "10",
				"X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "12", "X-RateLimit-Reset", "30"),
			want: []want{{UnitRequests, SourceOpenAI, "", 60, 10, 50, 30 * time.Second, none}},
		},
		{
			name: "dedupe/different limits of one unit stay two dimensions",
			h:    hdr("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "59", "RateLimit-Limit", "5000", "RateLimit-Remaining", "10"),
			want: []want{
				{UnitRequests, SourceIETFFields, "", 5000, 10, 4990, none, none},
				{UnitRequests, SourceXRateLimit, "", 60, 59, 1, none, none},
			},
			binding: 0,
		},
		{
			name:    "no rate-limit headers at all",
			h:       hdr("Content-Type", "application/json"),
			want:    nil,
			binding: -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Parse(tt.h, received)
			var gotLs []want
			for _, l := range s.Limits {
				gotLs = append(gotLs, got(l))
			}
			if !reflect.DeepEqual(gotLs, tt.want) {
				t.Errorf("limits:\n got  %v\n want %v", gotLs, tt.want)
			}
			if s.Binding != tt.binding {
				t.Errorf("binding = %d, want %d", s.Binding, tt.binding)
			}
			if len(s.Problems) > 0 && !strings.Contains(tt.name, "past") {
				t.Errorf("unexpected problems: %q", s.Problems)
			}
		})
	}
}

func TestParseQuotaCreditsRetryAfterDate(t *testing.T) {
	h := hdr("Date", dateHeader,
		"X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "Tue, 24 Nov 2026 19:00:12 GMT",
		"X-Quota-Limit", "25000", "X-Quota-Remaining", "120", "X-Quota-Reset", "Wed, 25 Nov 2026 19:00:00 GMT",
		"X-Credits-Remaining", "1250.5", "Retry-After", "12", "Retry-After", "10")
	s := Parse(h, received)
	if !s.ServerDate.Equal(ref) || s.Skew() != 2*time.Second || !s.Now().Equal(ref) {
		t.Errorf("date %v skew %v now %v", s.ServerDate, s.Skew(), s.Now())
	}
	if s.Quota == nil || *s.Quota.Limit != 25000 || *s.Quota.Remaining != 120 || *s.Quota.ResetAfter != 24*time.Hour {
		t.Errorf("quota = %+v", s.Quota)
	}
	if s.Credits == nil || *s.Credits != 1250.5 {
		t.Errorf("credits = %v", s.Credits)
	}
	if s.RetryAfter == nil || *s.RetryAfter != 12*time.Second {
		t.Errorf("retry-after = %v, want the longest duplicate 12s", s.RetryAfter)
	}
	if s.Binding != 0 || len(s.Problems) != 0 {
		t.Errorf("binding %d problems %q", s.Binding, s.Problems)
	}
}

func TestParseClock(t *testing.T) {
	t.Run("rfc9110/no Date: relative to the receive time", func(t *testing.T) {
		s := Parse(hdr("X-RateLimit-Reset", unix(30)), ref)
		if !s.ServerDate.IsZero() || s.Limits[0].ResetAfter == nil || *s.Limits[0].ResetAfter != 30*time.Second {
			t.Errorf("got %+v", s)
		}
	})
	t.Run("rfc9110/Date in asctime format is accepted", func(t *testing.T) {
		s := Parse(hdr("Date", "Tue Nov 24 19:00:00 2026"), received)
		if !s.ServerDate.Equal(ref) {
			t.Errorf("date = %v", s.ServerDate)
		}
	})
	t.Run("garbage Date: local clock and a note", func(t *testing.T) {
		s := Parse(hdr("Date", "yesterday", "X-RateLimit-Reset", unix(30)), ref)
		if !s.ServerDate.IsZero() || *s.Limits[0].ResetAfter != 30*time.Second {
			t.Errorf("got %+v", s)
		}
		wantProblem(t, s, "Date", "yesterday")
	})
	t.Run("Date drives the reset, not the skewed local clock", func(t *testing.T) {
		// The local clock is an hour behind; the reset is 30 s after the server's Date.
		s := Parse(hdr("Date", dateHeader, "X-RateLimit-Reset", unix(30)), ref.Add(-time.Hour))
		if *s.Limits[0].ResetAfter != 30*time.Second || s.Skew() != time.Hour {
			t.Errorf("reset %v skew %v", *s.Limits[0].ResetAfter, s.Skew())
		}
	})
}

func wantProblem(t *testing.T, s Snapshot, parts ...string) {
	t.Helper()
	for _, p := range s.Problems {
		all := true
		for _, part := range parts {
			all = all && strings.Contains(p, part)
		}
		if all {
			return
		}
	}
	t.Errorf("no problem mentioning %q in %q", parts, s.Problems)
}

func TestParseDegradesBadValues(t *testing.T) {
	tests := []struct {
		name   string
		h      http.Header
		header string // the header a Problem must name
		check  func(Snapshot) bool
	}{
		{"garbage remaining", hdr("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "lots"), "X-RateLimit-Remaining",
			func(s Snapshot) bool { return s.Limits[0].Remaining == nil && s.Limits[0].Used == nil }},
		{"negative remaining", hdr("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "-5"), "X-RateLimit-Remaining",
			func(s Snapshot) bool { return s.Limits[0].Remaining == nil }},
		{"azure-openai/sentinel -1 limit and remaining, reset 0", hdr("x-ratelimit-limit-tokens", "-1", "x-ratelimit-remaining-tokens", "-1", "x-ratelimit-reset-tokens", "0"), "X-RateLimit-Limit-Tokens",
			func(s Snapshot) bool {
				return len(s.Limits) == 1 && s.Limits[0].Limit == nil && s.Limits[0].Remaining == nil && *s.Limits[0].ResetAfter == 0
			}},
		{"NaN limit", hdr("X-RateLimit-Limit", "NaN", "X-RateLimit-Remaining", "3"), "X-RateLimit-Limit",
			func(s Snapshot) bool { return s.Limits[0].Limit == nil }},
		{"overflowing limit", hdr("X-RateLimit-Limit", "99999999999999999999"), "X-RateLimit-Limit",
			func(s Snapshot) bool { return len(s.Limits) == 0 }},
		{"fractional remaining rounded down", hdr("X-RateLimit-Limit", "10", "X-RateLimit-Remaining", "4.5"), "X-RateLimit-Remaining",
			func(s Snapshot) bool { return *s.Limits[0].Remaining == 4 }},
		{"garbage reset", hdr("X-RateLimit-Limit", "10", "X-RateLimit-Reset", "soon"), "X-RateLimit-Reset",
			func(s Snapshot) bool { return s.Limits[0].ResetAfter == nil }},
		{"seed002/example reset long past counts as 0", hdr("Date", dateHeader, "X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "45", "X-RateLimit-Reset", "1705312800"), "X-RateLimit-Reset",
			func(s Snapshot) bool { return *s.Limits[0].ResetAfter == 0 }},
		{"negative Retry-After", hdr("Retry-After", "-10"), "Retry-After",
			func(s Snapshot) bool { return s.RetryAfter == nil }},
		{"garbage credits", hdr("X-Credits-Remaining", "plenty"), "X-Credits-Remaining",
			func(s Snapshot) bool { return s.Credits == nil }},
		{"garbage quota keeps the quota present", hdr("X-Quota-Limit", "many"), "X-Quota-Limit",
			func(s Snapshot) bool { return s.Quota != nil && s.Quota.Limit == nil }},
		{"shopify garbage", hdr("X-Shopify-Shop-Api-Call-Limit", "lots"), "X-Shopify-Shop-Api-Call-Limit",
			func(s Snapshot) bool { return len(s.Limits) == 0 }},
		{"shopify over the limit", hdr("X-Shopify-Shop-Api-Call-Limit", "41/40"), "X-Shopify-Shop-Api-Call-Limit",
			func(s Snapshot) bool { return *s.Limits[0].Remaining == 0 }},
		{"discord negative reset-after", hdr("X-RateLimit-Reset-After", "-1.5", "X-RateLimit-Remaining", "0"), "X-RateLimit-Reset-After",
			func(s Snapshot) bool { return s.Limits[0].ResetAfter == nil }},
		{"ietf structured garbage remaining", hdr("RateLimit", `"default";r=abc;t=5`), "RateLimit r",
			func(s Snapshot) bool { return s.Limits[0].Remaining == nil && *s.Limits[0].ResetAfter == 5*time.Second }},
		{"ietf structured item without parameters", hdr("RateLimit", `"default"`), "RateLimit",
			func(s Snapshot) bool { return len(s.Limits) == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Parse(tt.h, received)
			wantProblem(t, s, tt.header)
			if !tt.check(s) {
				t.Errorf("snapshot not degraded as expected: %+v", s)
			}
			assertSane(t, s)
		})
	}
}

func TestParseCanonicalizesHandWrittenKeys(t *testing.T) {
	h := http.Header{"x-ratelimit-limit": {"60"}, "x-ratelimit-remaining": {"1"}}
	s := Parse(h, received)
	if len(s.Limits) != 1 || *s.Limits[0].Limit != 60 || *s.Limits[0].Remaining != 1 {
		t.Errorf("got %+v", s.Limits)
	}
}

func TestParseFoldedDuplicatesTakeTheSmallestCount(t *testing.T) {
	s := Parse(hdr("X-RateLimit-Remaining", "10, 3", "X-RateLimit-Limit", "60"), received)
	if *s.Limits[0].Remaining != 3 {
		t.Errorf("remaining = %d, want 3", *s.Limits[0].Remaining)
	}
}

func TestBinding(t *testing.T) {
	i := func(n int64) *int64 { return &n }
	tests := []struct {
		name string
		ls   []Limit
		want int
	}{
		{"none", nil, -1},
		{"no fractions known", []Limit{{Unit: UnitRequests, Limit: i(10)}}, -1},
		{"lowest fraction wins", []Limit{{Unit: UnitRequests, Limit: i(10), Remaining: i(5)}, {Unit: UnitTokens, Limit: i(100), Remaining: i(10)}}, 1},
		{"ties go to requests", []Limit{{Unit: UnitTokens, Limit: i(10), Remaining: i(0)}, {Unit: UnitRequests, Limit: i(60), Remaining: i(0)}}, 1},
		{"remaining 0 with unknown limit binds", []Limit{{Unit: UnitRequests, Limit: i(10), Remaining: i(5)}, {Unit: UnitPoints, Remaining: i(0)}}, 1},
		{"zero limit is unknown", []Limit{{Unit: UnitRequests, Limit: i(0), Remaining: i(3)}}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := binding(tt.ls); got != tt.want {
				t.Errorf("binding = %d, want %d", got, tt.want)
			}
		})
	}
}

// assertSane checks the invariants every Snapshot must hold.
func assertSane(t *testing.T, s Snapshot) {
	t.Helper()
	neg := func(what string, d *time.Duration) {
		if d != nil && *d < 0 {
			t.Errorf("%s is negative: %v", what, *d)
		}
	}
	neg("RetryAfter", s.RetryAfter)
	if s.Quota != nil {
		neg("Quota.ResetAfter", s.Quota.ResetAfter)
		if s.Quota.Remaining != nil && *s.Quota.Remaining < 0 {
			t.Errorf("negative quota remaining")
		}
	}
	for i, l := range s.Limits {
		neg(fmt.Sprintf("Limits[%d].ResetAfter", i), l.ResetAfter)
		neg(fmt.Sprintf("Limits[%d].Window", i), l.Window)
		for _, n := range []*int64{l.Limit, l.Remaining, l.Used, l.Cost} {
			if n != nil && *n < 0 {
				t.Errorf("Limits[%d] has a negative count: %+v", i, l)
			}
		}
	}
	if s.Binding < -1 || s.Binding >= len(s.Limits) || (s.Binding == -1) != (binding(s.Limits) == -1) {
		t.Errorf("binding %d out of range for %d limits", s.Binding, len(s.Limits))
	}
}

func TestParseReportsEveryGarbageHeader(t *testing.T) {
	// The sandbox's "garbage headers" fault sends these together.
	garbage := map[string]string{
		"X-RateLimit-Limit": "lots", "X-RateLimit-Remaining": "-3", "X-RateLimit-Reset": "soon",
		"X-Quota-Limit": "1e400", "X-Quota-Remaining": "12.5.1", "X-Quota-Reset": "next month",
		"X-Credits-Remaining": "NaN",
	}
	h := http.Header{}
	for k, v := range garbage {
		h.Set(k, v)
	}
	s := Parse(h, received)
	for k, v := range garbage {
		wantProblem(t, s, k+":", fmt.Sprintf("%q", v))
	}
	if len(s.Problems) != len(garbage) {
		t.Errorf("want one note per header, got %q", s.Problems)
	}
	if len(s.Limits) != 0 || s.Credits != nil || s.Quota == nil || s.Quota.Limit != nil || s.Binding != -1 {
		t.Errorf("garbage leaked into the snapshot: %+v", s)
	}
	assertSane(t, s)
}

func TestParseThousandsSeparatorIsOneNumber(t *testing.T) {
	s := Parse(hdr("X-Quota-Limit", "25,000", "X-Quota-Remaining", "24,880", "X-RateLimit-Remaining", "10,3"), received)
	if *s.Quota.Limit != 25000 || *s.Quota.Remaining != 24880 {
		t.Errorf("quota = %d/%d, want 24880/25000", *s.Quota.Remaining, *s.Quota.Limit)
	}
	if *s.Limits[0].Remaining != 3 {
		t.Errorf("\"10,3\" is two folded values, want the smaller 3, got %d", *s.Limits[0].Remaining)
	}
}

func TestWithBodyFillsWhatHeadersDidNotSay(t *testing.T) {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "60")
	h.Set("X-RateLimit-Remaining", "30")
	s := Parse(h, time.Unix(0, 0))
	lim, rem, rate := int64(1000), int64(0), 50.0
	reset := 20 * time.Second
	bucket := Limit{Unit: UnitPoints, Source: SourceGraphQLCost, Limit: &lim, Remaining: &rem, RestoreRate: &rate, ResetAfter: &reset}
	bal := 12.5
	got := WithBody(s, []Limit{bucket}, &bal)
	if len(got.Limits) != 2 || len(s.Limits) != 1 {
		t.Fatalf("limits = %+v (input changed: %v)", got.Limits, len(s.Limits) != 1)
	}
	if b, ok := got.BindingLimit(); !ok || b.Unit != UnitPoints || b.RestoreRate == nil || *b.RestoreRate != 50 {
		t.Errorf("binding = %+v, want the exhausted points bucket", b)
	}
	if got.Credits == nil || *got.Credits != 12.5 {
		t.Errorf("credits = %v", got.Credits)
	}
	// A header balance wins over the body's.
	h.Set("X-Credits-Remaining", "3")
	if got := WithBody(Parse(h, time.Unix(0, 0)), nil, &bal); *got.Credits != 3 {
		t.Errorf("credits = %v, want the header's 3", *got.Credits)
	}
}
