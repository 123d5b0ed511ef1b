package usage

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// headerSeeds are raw header blocks ("Name: value" lines) covering every
// family, as the fuzzer's starting corpus.
var headerSeeds = []string{
	"Date: Tue, 24 Nov 2026 19:00:00 GMT\nX-RateLimit-Limit: 60\nX-RateLimit-Remaining: 0\nX-RateLimit-Reset: Tue, 24 Nov 2026 19:00:12 GMT\nX-Quota-Limit: 25000\nX-Quota-Remaining: 120\nX-Quota-Reset: Wed, 25 Nov 2026 19:00:00 GMT\nX-Credits-Remaining: 1250.5\nRetry-After: 12",
	"X-RateLimit-Limit: 60\nX-RateLimit-Remaining: 45\nX-RateLimit-Reset: 1705312800",
	"X-RateLimit-Limit: 1000\nX-RateLimit-Remaining: 993\nX-RateLimit-Cost: 5\nRetry-After: Tue Nov 24 19:00:30 2026",
	"x-ratelimit-limit-requests: 5000\nx-ratelimit-remaining-requests: 4999\nx-ratelimit-reset-requests: 12ms\nx-ratelimit-limit-tokens: 160000\nx-ratelimit-remaining-tokens: 159976\nx-ratelimit-reset-tokens: 6m0s",
	"anthropic-ratelimit-requests-limit: 50\nanthropic-ratelimit-requests-remaining: 49\nanthropic-ratelimit-requests-reset: 2026-11-24T19:00:01Z\nanthropic-ratelimit-input-tokens-remaining: -1",
	"x-rate-limit-limit: 900\nx-rate-limit-remaining: 899\nx-rate-limit-reset: 1795460400.5",
	"X-RateLimit-Limit: 5\nX-RateLimit-Remaining: 0\nX-RateLimit-Reset-After: 64.57\nX-RateLimit-Bucket: abcd\nX-RateLimit-Scope: shared\nX-RateLimit-Global: true",
	"X-Shopify-Shop-Api-Call-Limit: 32/40",
	"x-ratelimit-used: 13\nx-ratelimit-resource: core\nx-ratelimit-limit: 5000",
	"RateLimit-Limit: 10, 10;w=1, 50;w=60\nRateLimit-Remaining: 9\nRateLimit-Reset: 1\nRateLimit-Policy: 10;w=1",
	"RateLimit: limit=10, remaining=5, reset=3\nRateLimit-Policy: 10;w=1",
	"RateLimit: \"default\";r=50;t=30, \"day\";r=1;t=9e9\nRateLimit-Policy: \"default\";q=100;w=60;qu=\"content-bytes\", \"x\";q=-1;w=NaN",
	"Retry-After: -1\nRetry-After: NaN\nRetry-After: 1e400\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT, 5",
	"Date: garbage\nX-RateLimit-Reset: 99999999999999999999\nX-Points-Limit: 1e19\nX-Points-Remaining: \"",
	"X-RateLimit-Reset: -9223372036854775808ns\nX-Quota-Reset: 2562047h47m16.854775807s\nX-Credits-Remaining: -Inf",
}

// headerBlock turns a raw block into an http.Header. Keys are added both
// canonicalized and, for every other line, as written (like a hand-built map).
func headerBlock(raw string) http.Header {
	h := http.Header{}
	for i, line := range strings.Split(raw, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if i%2 == 0 {
			h.Add(strings.TrimSpace(k), v)
		} else {
			h[k] = append(h[k], v)
		}
	}
	return h
}

func FuzzParseHeaders(f *testing.F) {
	for _, s := range headerSeeds {
		f.Add(s, int64(0))
	}
	f.Add("X-RateLimit-Reset: 30", int64(-1<<62))
	f.Fuzz(func(t *testing.T, raw string, skew int64) {
		h := headerBlock(raw)
		s := Parse(h, ref.Add(time.Duration(skew)))
		assertSane(t, s)
		for _, p := range s.Problems {
			if p == "" {
				t.Fatal("empty problem note")
			}
		}
		for _, vs := range h {
			for _, v := range vs {
				if d, _ := ParseReset(v, ref); d < 0 {
					t.Fatalf("ParseReset(%q) = %v", v, d)
				}
			}
			if d, _ := ParseRetryAfter(vs, ref); d < 0 {
				t.Fatalf("ParseRetryAfter(%q) = %v", vs, d)
			}
		}
	})
}

// BenchmarkParse measures a typical abstrakt (seed 000) response.
func BenchmarkParse(b *testing.B) {
	h := http.Header{}
	h.Set("Date", "Tue, 24 Nov 2026 19:00:00 GMT")
	h.Set("Content-Type", "application/json")
	h.Set("X-RateLimit-Limit", "60")
	h.Set("X-RateLimit-Remaining", "42")
	h.Set("X-RateLimit-Reset", "Tue, 24 Nov 2026 19:00:45 GMT")
	h.Set("X-Quota-Limit", "25000")
	h.Set("X-Quota-Remaining", "24880")
	h.Set("X-Quota-Reset", "Tue, 01 Dec 2026 00:00:00 GMT")
	h.Set("X-Credits-Remaining", "1250.5")
	b.ReportAllocs()
	for b.Loop() {
		s := Parse(h, received)
		if len(s.Limits) != 1 {
			b.Fatal("no limit")
		}
	}
}
