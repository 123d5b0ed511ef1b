package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// response is a complete answer, built under the lock and written after it,
// so faults can mangle or cut it on the way out.
type response struct {
	status int
	header http.Header
	body   []byte
}

func jsonResponse(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil { // only our own types are marshalled; say so loudly if that changes
		return problemResponse(http.StatusInternalServerError, codeInternalError, "encoding the response: "+err.Error(), "", nil)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return response{status: status, header: h, body: append(b, '\n')}
}

// Stable error codes (API.md).
const (
	codeUnauthorized        = "unauthorized"
	codeNotFound            = "not_found"
	codeInsufficientCredits = "insufficient_credits"
	codePlanRequired        = "plan_required"
	codeRateLimitExceeded   = "rate_limit_exceeded"
	codeQuotaExceeded       = "quota_exceeded"
	codeInvalidRequest      = "invalid_request"
	codeValidationFailed    = "validation_failed"
	codeIdempotencyMismatch = "idempotency_mismatch"
	codeConflict            = "conflict"
	codeInternalError       = "internal_error"
)

func title(code string) string {
	switch code {
	case codeUnauthorized:
		return "Unauthorized"
	case codeNotFound:
		return "Not found"
	case codeInsufficientCredits:
		return "Insufficient credits"
	case codePlanRequired:
		return "Plan required"
	case codeRateLimitExceeded:
		return "Rate limit exceeded"
	case codeQuotaExceeded:
		return "Quota exceeded"
	case codeInvalidRequest:
		return "Invalid request"
	case codeValidationFailed:
		return "Validation failed"
	case codeIdempotencyMismatch:
		return "Idempotency key reused with a different body"
	case codeConflict:
		return "Conflict"
	}
	return "Internal error"
}

// problemBody is RFC 9457 problem+json with abstrakt's code and errors.
type problemBody struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail"`
	Instance string       `json:"instance,omitempty"`
	Code     string       `json:"code"`
	Errors   []fieldError `json:"errors,omitempty"`
}

func newProblem(status int, code, detail, instance string, errs []fieldError) problemBody {
	return problemBody{Type: "https://docs.abstrakt.dev/errors/" + code, Title: title(code), Status: status,
		Detail: detail, Instance: instance, Code: code, Errors: errs}
}

func problemResponse(status int, code, detail, instance string, errs []fieldError) response {
	b, _ := json.Marshal(newProblem(status, code, detail, instance, errs)) // strings and ints only
	h := http.Header{}
	h.Set("Content-Type", "application/problem+json")
	return response{status: status, header: h, body: append(b, '\n')}
}

// concurrencyResponse is seed 002's nested 429 body, word for word.
func concurrencyResponse(limit, active int) response {
	body := map[string]any{"error": map[string]any{
		"type":    "rate_limit_error",
		"message": fmt.Sprintf("Concurrent prediction limit exceeded. %d/%d predictions running.", active, limit),
		"code":    "CONCURRENT_LIMIT_EXCEEDED",
		"details": map[string]any{"limit": limit, "active": active},
	}}
	return jsonResponse(http.StatusTooManyRequests, body)
}
