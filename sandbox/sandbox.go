// Package sandbox is a faithful, deterministic fake of the abstrakt /v1 API
// (shared/spec/API.md and its seeds), served by net/http. It runs in tests
// (Handler with httptest, or ServeInMemory inside testing/synctest),
// standalone ("abtop sandbox") and embedded ("abtop --sandbox").
//
// Everything is computed from the injected clock on each request: rate
// windows, quotas and the queued → running → finished lifecycle of jobs.
// There are no background goroutines (except the optional simulated
// traffic), so under synctest a test simulates minutes in milliseconds.
//
// Accounting, in brief:
//   - every /v1 request costs 1 against the org's fixed window (or its point
//     cost in the points dialect, see PointCost); unauthenticated requests
//     spend a shared anonymous window of 60;
//   - a write (POST) that creates a job or cancels one uses one of the
//     daily and monthly writes; rejected writes and idempotent replays do not;
//   - a job is charged its model's credits when created; failed and canceled
//     jobs are refunded when they end.
package sandbox

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Dialect selects which provider's conventions the sandbox speaks.
type Dialect string

const (
	// DialectAbstrakt is seed 000: X-RateLimit-Reset is an HTTP-date.
	DialectAbstrakt Dialect = "abstrakt"
	// DialectAbstraktUnix is seed 001: X-RateLimit-Reset is Unix seconds.
	DialectAbstraktUnix Dialect = "abstrakt-unix"
	// DialectPredictions is seed 002: Unix-seconds resets, and a job over
	// the concurrency limit is rejected with 429 CONCURRENT_LIMIT_EXCEEDED
	// (nested error body) instead of waiting as queued. Plans without a
	// concurrency limit get the seed's default of 5.
	DialectPredictions Dialect = "predictions"
	// DialectPoints is seed 003: an org-wide budget of points per window,
	// each request costing 1–10 points (PointCost); HTTP-date resets.
	DialectPoints Dialect = "points"
)

// Dialects lists every dialect, for flag help and validation.
func Dialects() []Dialect {
	return []Dialect{DialectAbstrakt, DialectAbstraktUnix, DialectPredictions, DialectPoints}
}

// ParseDialect validates a dialect name.
func ParseDialect(s string) (Dialect, error) {
	for _, d := range Dialects() {
		if string(d) == s {
			return d, nil
		}
	}
	return "", fmt.Errorf("unknown dialect %q (want abstrakt, abstrakt-unix, predictions or points)", s)
}

// predictionsDefaultConcurrency is seed 002's "Concurrent predictions: 5".
const predictionsDefaultConcurrency = 5

// Options configure a Sandbox. The zero value is a 60 s-window abstrakt
// sandbox on the real clock with no faults.
type Options struct {
	// Now is the clock; every time read goes through it. Default time.Now
	// (which testing/synctest already fakes).
	Now func() time.Time
	// Window is the length of the fixed rate-limit window: whole seconds,
	// at least 1 s. Default 60 s. Windows are aligned on multiples of it.
	Window  time.Duration
	Dialect Dialect // default DialectAbstrakt
	Faults  Faults  // off by default; see ParseFaults
	// Seed makes token and job ids, job run times, failures and faults
	// reproducible.
	Seed uint64
	// StartDelay is how long a job stays queued once a slot is free.
	// Default 500 ms; negative means 0.
	StartDelay time.Duration
	// JobTimeScale multiplies every model's run time (0.1 = ten times
	// faster). Default 1.
	JobTimeScale float64
	// FailureRate is the fraction of jobs that end failed (refunded). Default 0.
	FailureRate float64
	// StallFor is how long a "stall" fault holds a request before answering
	// normally, unless the client gives up first. Default 5 min.
	StallFor time.Duration
	// Logger receives one line per request (tokens masked). Nil: no log.
	Logger *slog.Logger
	// IETFHeaders adds the IETF RateLimit and RateLimit-Policy fields
	// (draft-ietf-httpapi-ratelimit-headers 08+) next to the X- ones: the
	// "window" policy and, on plans with a daily write limit, "daily".
	IETFHeaders bool
	// FileBaseURL is the scheme and host of output file links (the file
	// host, which Handler serves under /files/). Default: the host the
	// request that created the job reached.
	FileBaseURL string
	// WebhookClient delivers webhooks. Default: a client with a 10 s
	// timeout. Tests inside synctest pass one that dials in memory.
	WebhookClient *http.Client
}

// Sandbox is the fake API. All methods are safe for concurrent use.
type Sandbox struct {
	opts Options

	mu      sync.Mutex
	rng     *rand.Rand
	fileRng *rand.Rand // file-host faults: their own stream, so downloads do not shift the API's
	hookRng *rand.Rand // webhook ids, secrets and faults
	fileKey []byte     // signs file links
	files   map[string]*job
	hooks   hookQueue
	orgs    map[string]*org
	tokens  map[string]*token
	anon    window
	stats   Stats
	nextOrg int
	nextReq int
}

// New validates opts and returns a sandbox with no organizations yet
// (see CreateOrg and IssueToken, or Bootstrap).
func New(opts Options) (*Sandbox, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Window == 0 {
		opts.Window = time.Minute
	}
	if opts.Window < time.Second || opts.Window%time.Second != 0 {
		return nil, fmt.Errorf("sandbox: window %v must be a whole number of seconds, at least 1s (headers have second resolution)", opts.Window)
	}
	if opts.Dialect == "" {
		opts.Dialect = DialectAbstrakt
	}
	if _, err := ParseDialect(string(opts.Dialect)); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := opts.Faults.validate(); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	opts.Faults = maps.Clone(opts.Faults) // the caller may reuse its map
	if opts.StartDelay == 0 {
		opts.StartDelay = 500 * time.Millisecond
	} else if opts.StartDelay < 0 {
		opts.StartDelay = 0
	}
	if opts.JobTimeScale == 0 {
		opts.JobTimeScale = 1
	}
	if opts.JobTimeScale < 0 {
		return nil, fmt.Errorf("sandbox: JobTimeScale %v must be positive", opts.JobTimeScale)
	}
	if opts.FailureRate < 0 || opts.FailureRate > 1 {
		return nil, fmt.Errorf("sandbox: FailureRate %v must be between 0 and 1", opts.FailureRate)
	}
	if opts.StallFor <= 0 {
		opts.StallFor = 5 * time.Minute
	}
	if opts.WebhookClient == nil {
		opts.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	key := sha256.Sum256(fmt.Appendf(nil, "sandbox file links %d", opts.Seed))
	return &Sandbox{
		opts:    opts,
		rng:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		fileRng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x243f6a8885a308d3)),
		hookRng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x13198a2e03707344)),
		fileKey: key[:],
		files:   map[string]*job{},
		orgs:    map[string]*org{},
		tokens:  map[string]*token{},
		stats:   newStats(),
	}, nil
}

func (s *Sandbox) now() time.Time { return s.opts.Now().UTC() }

// newJobID draws an id no job of any org has. s.mu held.
func (s *Sandbox) newJobID() string {
	for {
		if id := "job_" + s.randomString(20); s.files[id] == nil {
			return id
		}
	}
}

// ErrNotFound is wrapped by admin methods given an unknown org or token.
var ErrNotFound = errors.New("not found")
