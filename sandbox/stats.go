package sandbox

import (
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"strconv"
)

// Stats are the sandbox's counters since it started, for tests and
// benchmarks (GET /_sandbox/stats serves the same JSON).
type Stats struct {
	Requests int64 `json:"requests"` // every /v1 request, whatever became of it
	// Writes counts the /v1 requests that write (POST: creates, cancels),
	// whatever became of them; Requests − Writes are reads.
	Writes int64 `json:"writes"`
	// RequestsByStatus counts answered requests by HTTP status; dropped and
	// abandoned (stalled) ones are only in Faults.
	RequestsByStatus map[string]int64 `json:"requests_by_status"`
	TooManyRequests  int64            `json:"too_many_requests"` // 429s of every kind (rate, quota, concurrency)
	// RetryAfterViolations counts requests from an org that arrived more
	// than 50 ms before the Retry-After of a 429 it was given had passed
	// (simulated --traffic is exempt: it neither sets nor breaks one).
	RetryAfterViolations  int64   `json:"retry_after_violations"`
	JobsCreated           int64   `json:"jobs_created"`
	IdempotentReplays     int64   `json:"idempotent_replays"`
	IdempotencyMismatches int64   `json:"idempotency_mismatches"`
	CreditsCharged        float64 `json:"credits_charged"`
	CreditsRefunded       float64 `json:"credits_refunded"` // failed and canceled jobs
	// DuplicateJobs counts jobs created with an input.ref already used by an
	// earlier job of the same org: work done twice.
	DuplicateJobs   int64            `json:"duplicate_jobs"`
	PeakRunningJobs int64            `json:"peak_running_jobs"` // most jobs running at once in one org
	Faults          map[string]int64 `json:"faults"`            // injected faults by kind

	ListReads int64 `json:"list_reads"` // GET /v1/jobs requests that reached the endpoint
	GetReads  int64 `json:"get_reads"`  // GET /v1/jobs/{id} of an existing job

	// The file host (not /v1: none of these are in Requests).
	FileRequests int64 `json:"file_requests"`
	// FileRequestsWithAuthorization counts file requests that carried an
	// Authorization header: a client leaking its API token to the file host.
	FileRequestsWithAuthorization int64 `json:"file_requests_with_authorization"`
	Downloads                     int64 `json:"downloads"`      // whole files served (GET, no fault)
	DownloadBytes                 int64 `json:"download_bytes"` // their bytes
	LinksExpired                  int64 `json:"links_expired"`  // requests refused for a link past its expiry

	WebhookAttempts int64 `json:"webhook_attempts"`  // POSTs made, retries and duplicates included
	WebhooksSent    int64 `json:"webhooks_sent"`     // attempts answered 2xx
	WebhooksFailed  int64 `json:"webhooks_failed"`   // attempts answered non-2xx or not at all
	WebhooksGivenUp int64 `json:"webhooks_given_up"` // deliveries abandoned after the last retry
	WebhooksPending int64 `json:"webhooks_pending"`  // deliveries waiting for their next attempt
}

func newStats() Stats {
	return Stats{RequestsByStatus: map[string]int64{}, Faults: map[string]int64{}}
}

// Stats returns a copy of the counters. Job lifecycles are lazy, so
// PeakRunningJobs counts starts up to each org's latest request.
func (s *Sandbox) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stats
	c.RequestsByStatus = maps.Clone(s.stats.RequestsByStatus)
	c.Faults = maps.Clone(s.stats.Faults)
	c.WebhooksPending = int64(len(s.hooks.pending))
	return c
}

// count records one /v1 request; status 0 means no response was given.
func (s *Sandbox) count(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	if status == 0 {
		return
	}
	s.stats.RequestsByStatus[strconv.Itoa(status)]++
	if status == http.StatusTooManyRequests {
		s.stats.TooManyRequests++
	}
}

// serveStats answers GET /_sandbox/stats, to loopback clients only.
func (s *Sandbox) serveStats(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		http.Error(w, "stats are served to loopback clients only", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(s.Stats()) // a write error means the client left
}
