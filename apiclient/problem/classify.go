package problem

import (
	"strings"
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

// Class is what the scheduler needs to know about a failed response.
type Class struct {
	Kind      Kind
	Exhausted Exhaustion // set when credits or quota ran out: stop the queue
	Retryable bool       // a retry (after Wait) can succeed
	// Wait is the longest of: the Retry-After header, a retry hint in the
	// body, and — for a rate limit — the reset of every exhausted limit; for quota exhaustion, the quota
	// reset. 0 when none is known. Never negative.
	Wait time.Duration
}

// Codes and words that say the account ran out of money. Matched against
// the lower-cased code; OpenAI's insufficient_quota means the billing
// balance or hard limit is exhausted (OpenAI "Error codes" guide), so it is
// a credits problem, not a monthly quota.
var creditCodes = []string{
	"insufficient_credits", "insufficient_credit", "insufficient_quota", "insufficient_funds",
	"insufficient_balance", "credits_exhausted", "credit_balance_too_low", "out_of_credits",
	"billing_hard_limit_reached", "billing_not_active", "billing_limit", "payment_required",
}

var quotaCodes = []string{
	"quota_exceeded", "monthly_quota_exceeded", "quota_exhausted", "usage_limit_exceeded",
}

var concurrencyCodes = []string{
	"concurrent_limit_exceeded", "concurrency_limit_exceeded", "too_many_concurrent_requests",
	"concurrent_requests_limit", "max_concurrency",
}

// Lock/conflict flavour: a 409 or 429 that clears by itself (Stripe's
// idempotency_key_in_use, "resource is locked", "operation in progress").
// A plain 409 "conflict" (canceling a running job, API.md) is not one.
var (
	lockCodeWords = []string{"lock", "in_use", "in_progress"}
	lockTextWords = []string{"locked", "lock held", "in use", "in progress", "being processed"}
)

// Classify decides what a problem means for the scheduler, using the usage
// snapshot of the same response: the status code alone is not trusted.
//   - a code or message saying credits/quota/billing ran out → not retryable,
//     Exhausted set, whatever the status (402, 429, 400, 403);
//   - a 429/403 with a limit at remaining 0 → rate limit, retryable;
//   - a concurrency code (seed 002 CONCURRENT_LIMIT_EXCEEDED) → retryable;
//   - a lock/conflict-flavoured 429 or 409 → retryable;
//   - 5xx, 408 → server, retryable; 401/403 → auth; 402 plan_required →
//     plan; 409 → conflict; other 4xx → other, not retryable.
//
// A nil p classifies as KindOther, not retryable.
func Classify(p *Problem, s usage.Snapshot) Class {
	if p == nil {
		return Class{}
	}
	s = p.Snapshot(s) // limits the body stated count like headers
	code := strings.ToLower(p.Code)
	text := strings.ToLower(p.Message + " " + p.Title + " " + p.Detail + " " + p.Type)
	status := p.Status
	hinted := maxWait(s.RetryAfter, p.BodyRetryAfter)
	// Words decide nothing that a code or the headers can: prose is read
	// only when the body has no code and the response no rate-limit
	// header, and never to call a 429 exhausted (a 429 is retryable
	// unless its code or its headers say a quota or the credits ran out).
	prose := code == "" && len(s.Limits) == 0 && s.RetryAfter == nil

	switch {
	case status >= 200 && status < 400 && !isRateCode(code):
		// GraphQL throttles with 200 and errors[].extensions.code THROTTLED.
		return Class{}
	case status == http402 && code == CodePlanRequired:
		return Class{Kind: KindPlan}
	case matches(code, creditCodes) || creditish(code) || status == http402 && !isRateCode(code) ||
		(status == 403 || status == 400) && prose && saysCredits(text):
		return Class{Kind: KindCredits, Exhausted: ExhaustedCredits, Wait: hinted}
	case matches(code, quotaCodes) || strings.Contains(code, "quota") ||
		code == "" && (status == 429 || status == 403) && quotaOut(s):
		return Class{Kind: KindQuota, Exhausted: ExhaustedQuota, Wait: maxWait(s.RetryAfter, p.BodyRetryAfter, quotaReset(s))}
	case matches(code, concurrencyCodes) || (status == 429 && code == "" && strings.Contains(text, "concurren")):
		return Class{Kind: KindConcurrency, Retryable: true, Wait: hinted}
	case (status == 429 || status == 409) && isLock(status, code, text):
		k := KindRateLimit
		if status == 409 {
			k = KindConflict
		}
		return Class{Kind: k, Retryable: true, Wait: hinted}
	case status == 429 || isRateCode(code) || status == 403 && (limitOut(s) || s.RetryAfter != nil || prose && strings.Contains(text, "rate limit")):
		// Retry-After is whole seconds while the window may end later
		// (Retry-After 12, reset in 12.5 s): wait for the later of the two,
		// never early.
		return Class{Kind: KindRateLimit, Retryable: true, Wait: maxWait(&hinted, exhaustedReset(s))}
	case status >= 500 || status == 408:
		return Class{Kind: KindServer, Retryable: true, Wait: hinted}
	case status == 401 || status == 403:
		return Class{Kind: KindAuth}
	case status == http402:
		return Class{Kind: KindPlan}
	case status == 409:
		return Class{Kind: KindConflict}
	}
	return Class{Kind: KindOther}
}

const http402 = 402

func matches(code string, set []string) bool {
	if code == "" {
		return false
	}
	for _, c := range set {
		if code == c {
			return true
		}
	}
	return false
}

// isRateCode: abstrakt's code, Anthropic's nested type rate_limit_error,
// Shopify GraphQL's THROTTLED, GitHub GraphQL's RATE_LIMITED / RATE_LIMIT /
// graphql_rate_limit, Discourse's error_type rate_limit.
func isRateCode(code string) bool {
	switch code {
	case CodeRateLimitExceeded, "rate_limited", "rate_limit_error", "rate_limit", "graphql_rate_limit",
		"too_many_requests", "ratelimited", "throttled":
		return true
	}
	return false
}

// creditish catches codes of the same family not listed above.
func creditish(code string) bool {
	return strings.Contains(code, "credit") || strings.Contains(code, "billing") ||
		strings.HasPrefix(code, "insufficient_")
}

// saysCredits looks at the words when a body carries no code.
func saysCredits(text string) bool {
	for _, w := range []string{"insufficient credit", "out of credit", "credit balance", "insufficient funds", "billing", "payment required", "insufficient_quota", "exceeded your current quota"} {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// isLock: for a 409 only a code or an explicit "locked"/"in use" counts;
// for a 429 a conflict code counts too (the status already says "later").
func isLock(status int, code, text string) bool {
	for _, w := range lockCodeWords {
		if strings.Contains(code, w) {
			return true
		}
	}
	if status == 429 && strings.Contains(code, "conflict") {
		return true
	}
	for _, w := range lockTextWords {
		if strings.Contains(text, w) {
			return status == 429 || w == "locked" || w == "in use"
		}
	}
	return false
}

// quotaOut: the headers say the monthly quota is at 0 while no rate limit
// is. The words are not asked: "quota exceeded" is said of per-second
// windows as often as of monthly quotas.
func quotaOut(s usage.Snapshot) bool {
	return s.Quota != nil && s.Quota.Remaining != nil && *s.Quota.Remaining == 0 && !limitOut(s)
}

func quotaReset(s usage.Snapshot) *time.Duration {
	if s.Quota == nil {
		return nil
	}
	return s.Quota.ResetAfter
}

// limitOut reports whether any rate-limit dimension has nothing remaining.
func limitOut(s usage.Snapshot) bool {
	for _, l := range s.Limits {
		if l.Remaining != nil && *l.Remaining == 0 {
			return true
		}
	}
	return false
}

// exhaustedReset is the wait until every exhausted limit has reset: the
// binding one's reset, or the longest among limits at 0.
func exhaustedReset(s usage.Snapshot) *time.Duration {
	var best *time.Duration
	if l, ok := s.BindingLimit(); ok && l.Remaining != nil && *l.Remaining == 0 {
		best = l.ResetAfter
	}
	for _, l := range s.Limits {
		if l.Remaining != nil && *l.Remaining == 0 && l.ResetAfter != nil && (best == nil || *l.ResetAfter > *best) {
			best = l.ResetAfter
		}
	}
	return best
}

// maxWait returns the longest known wait, never negative.
func maxWait(ds ...*time.Duration) time.Duration {
	var w time.Duration
	for _, d := range ds {
		if d != nil && *d > w {
			w = *d
		}
	}
	return w
}
