// Package apiclient is abtop's HTTP client for the abstrakt /v1 API.
// Every response, success or error, is turned into a usage.Snapshot and
// handed to the Observer, so the budget and the dashboard learn from all
// traffic, including errors.
package apiclient

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

// Options configure a Client.
type Options struct {
	BaseURL    string // e.g. https://api.abstrakt.dev (no trailing /v1)
	Token      string // ab_… (51 characters); validated by config before it gets here
	Version    string // abtop version, sent as User-Agent: abtop/VERSION
	HTTPClient *http.Client
	Timeout    time.Duration    // per request; default 30 s
	Now        func() time.Time // clock; default time.Now
	// Observer, when set, is called once after every response or transport
	// failure, from the goroutine that made the request.
	Observer     func(Observation)
	MaxBodyBytes int64 // cap on bodies read; default 4 MiB
	// AllowInsecureHTTP permits a plain http:// BaseURL to a non-loopback
	// host (config's allow_insecure_http); otherwise New refuses it.
	AllowInsecureHTTP bool
}

// Observation is what one request taught us.
type Observation struct {
	Method   string
	Path     string
	Status   int // 0 when no response arrived
	Snapshot usage.Snapshot
	Err      error // *Error, *TransportError or nil
	Latency  time.Duration
	// Write is true for requests that count against the monthly quota.
	Write bool
}

// Meta accompanies every successful result.
type Meta struct {
	Status   int
	Snapshot usage.Snapshot
	Replayed bool // idempotent replay (Idempotency-Replayed header), when the server says so
	// Plan is the plan a /v1/balance answer named, "" for every other
	// answer: the budget sizes the concurrency limit by it.
	Plan string
}

// Job statuses.
const (
	StatusQueued    = "queued"
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusCanceled  = "canceled"
)

// Balance is GET /v1/balance.
type Balance struct {
	Credits float64 `json:"credits"`
	Plan    string  `json:"plan"`
}

// Model is one entry of GET /v1/models.
type Model struct {
	ID      string  `json:"id"`
	Kind    string  `json:"kind"`
	Credits float64 `json:"credits"`
	// MinPlan is the lowest plan that may run the model ("" = every plan);
	// a job on a lower plan is refused with 402 plan_required.
	MinPlan string `json:"min_plan,omitempty"`
	// Inputs are the members of "input" the model accepts, when the server
	// lists them (the sandbox does; API.md's minimal list does not).
	Inputs []Input `json:"inputs,omitempty"`
}

// Input is one accepted member of a job's "input".
type Input struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"` // "string" | "integer"
	Required bool     `json:"required,omitempty"`
	Enum     []string `json:"enum,omitempty"`
}

// MainInput is the member that carries the job's text: the first required
// string input when the server lists inputs, else "text" for audio models
// (text to speech) and "prompt" for the rest.
func (m Model) MainInput() string {
	for _, in := range m.Inputs {
		if in.Required && in.Type == "string" {
			return in.Name
		}
	}
	if m.Kind == "audio" {
		return "text"
	}
	return "prompt"
}

// JobRequest is the body of POST /v1/jobs.
type JobRequest struct {
	Model string          `json:"model"`
	Input json.RawMessage `json:"input"`
	// Webhook, when set, is POSTed the job when it ends (Standard Webhooks
	// signatures; see apiclient/webhook).
	Webhook string `json:"webhook,omitempty"`
}

// Job is a job as the API returns it.
type Job struct {
	ID         string          `json:"id"`
	Model      string          `json:"model"`
	Status     string          `json:"status"`
	Credits    float64         `json:"credits"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"` // its last status change; zero when the server omits it
	StartedAt  *time.Time      `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"`
	Output     json.RawMessage `json:"output"` // see Job.Outputs and Job.OutputFiles
	Error      json.RawMessage `json:"error"`  // a problem object or null; see Job.Problem
}

// Finished reports whether the job reached a terminal state.
func (j Job) Finished() bool {
	return j.Status == StatusSucceeded || j.Status == StatusFailed || j.Status == StatusCanceled
}

// Error is every non-2xx response, normalized. Use errors.As to get it.
type Error struct {
	Method string
	Path   string
	Status int
	// Code is the stable code; for non-abstrakt shapes the provider's code as sent.
	Code    string
	Title   string
	Detail  string
	Message string // the provider's words: detail, else message, else title
	Fields  []problem.FieldError
	Problem *problem.Problem // the full body, extensions included
	// Snapshot is the usage learned from this error response.
	Snapshot usage.Snapshot
	// Wait is the wait the server asked for before a retry (Retry-After, a
	// body retry_after, or the reset of an exhausted limit); 0 when none.
	Wait      time.Duration
	Retryable bool
	Kind      problem.Kind
	Exhausted problem.Exhaustion
}

// TransportError is a request that got no usable response: connection
// refused or dropped, timeout, truncated body. Always retryable with backoff.
type TransportError struct {
	Method  string
	Path    string
	Timeout bool
	After   time.Duration // the timeout that expired, when Timeout and known
	Err     error
}

// Client talks to /v1. Safe for concurrent use. (Owner: client feature.)
type Client struct {
	opts Options
}
