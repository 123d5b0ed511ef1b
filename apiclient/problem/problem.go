// Package problem reads error bodies of every shape a provider or a proxy
// sends (RFC 9457 problem+json, nested {"error":{…}}, {"message":…},
// plain text, HTML) into one Problem value, and classifies it.
package problem

import (
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

// Stable error codes of the abstrakt API (shared/spec/API.md).
const (
	CodeUnauthorized        = "unauthorized"
	CodeNotFound            = "not_found"
	CodeInsufficientCredits = "insufficient_credits"
	CodePlanRequired        = "plan_required"
	CodeRateLimitExceeded   = "rate_limit_exceeded"
	CodeQuotaExceeded       = "quota_exceeded"
	CodeInvalidRequest      = "invalid_request"
	CodeValidationFailed    = "validation_failed"
	CodeIdempotencyMismatch = "idempotency_mismatch"
	CodeConflict            = "conflict"
	CodeInternalError       = "internal_error"
	// CodeConcurrencyLimit is abtop's normalized code for a concurrency
	// rejection (seed 002 sends CONCURRENT_LIMIT_EXCEEDED).
	CodeConcurrencyLimit = "concurrent_limit_exceeded"
)

// FieldError is one entry of a validation_failed "errors" array.
type FieldError struct {
	Pointer string `json:"pointer"` // JSON pointer into the request, e.g. /input/prompt
	Detail  string `json:"detail"`
}

// Problem is a normalized error body.
type Problem struct {
	Status   int    // HTTP status of the response
	Type     string // problem type URI, or the nested error's "type"
	Title    string
	Detail   string
	Instance string
	// Code is the provider's stable code as sent (e.g. "rate_limit_exceeded",
	// "CONCURRENT_LIMIT_EXCEEDED"); "" when the body had none.
	Code   string
	Fields []FieldError
	// Message is the provider's human text word for word: detail, else
	// message, else title. For text/HTML bodies, a short clean excerpt.
	Message string
	// BodyRetryAfter is a wait stated in the body (retry_after, retryAfter…), nil when none.
	BodyRetryAfter *time.Duration
	// Extensions holds problem+json members beyond the RFC 9457 ones, and
	// the "details" object of nested shapes, as decoded JSON.
	Extensions map[string]any
	// Limits are rate limits the body states: a GraphQL cost bucket
	// (extensions.cost.throttleStatus) or RFC 9457 extension members such
	// as limit/remaining/reset. Snapshot folds them into the headers' view.
	Limits []usage.Limit
	// Balance is a credit balance the body states (RFC 9457's own example
	// "balance": 30, or "credits"), nil when none.
	Balance *float64
	// Shape says what the body looked like: "problem+json", "nested-error",
	// "message", "detail", "text", "html", "invalid-json", "empty".
	Shape string
}

// Exhaustion is what a problem says has run out and will not come back by
// retrying soon.
type Exhaustion string

const (
	ExhaustedNone    Exhaustion = ""
	ExhaustedQuota   Exhaustion = "quota"
	ExhaustedCredits Exhaustion = "credits"
)

// Kind classifies a failure for the scheduler.
type Kind int

const (
	KindOther       Kind = iota // other 4xx: fail the job, no retry
	KindRateLimit               // wait as told (Retry-After), retry with the same key
	KindConcurrency             // too many running jobs: wait for one to finish, retry
	KindQuota                   // monthly quota exhausted: pause writes until the quota reset
	KindCredits                 // out of credits: pause the queue until credits are added
	KindServer                  // 5xx / transport: exponential backoff, same key
	KindAuth                    // bad token: stop everything
	KindPlan                    // plan_required: fail, no retry
	KindConflict                // 409: fail the operation, show it
)
