package metrics

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// response builds the observation of one abstrakt response (API.md headers).
func response(status int, received time.Time, remaining string, write bool) apiclient.Observation {
	h := http.Header{}
	h.Set("Date", received.Format(http.TimeFormat))
	h.Set("X-RateLimit-Limit", "60")
	h.Set("X-RateLimit-Remaining", remaining)
	h.Set("X-RateLimit-Reset", received.Add(30*time.Second).Format(http.TimeFormat))
	h.Set("X-Quota-Limit", "5000")
	h.Set("X-Quota-Remaining", "4321")
	h.Set("X-Quota-Reset", received.Add(48*time.Hour).Format(http.TimeFormat))
	h.Set("X-Credits-Remaining", "99.5")
	if status == 429 {
		h.Set("Retry-After", "7")
	}
	return apiclient.Observation{Status: status, Snapshot: usage.Parse(h, received), Latency: 120 * time.Millisecond, Write: write}
}

func fixture(now *time.Time) *Metrics {
	m := New(func() time.Time { return *now })
	obs := m.Observer("acme")
	m.Observer("beta") // configured, silent: zeroed counters only
	obs(response(200, t0, "59", false))
	obs(response(201, t0.Add(time.Second), "58", true))
	obs(response(429, t0.Add(2*time.Second), "0", true))
	obs(apiclient.Observation{Snapshot: usage.Parse(http.Header{}, t0.Add(3*time.Second)), Latency: 30 * time.Second})
	m.QueueEvent("acme", queue.Event{Type: queue.EventWait, Wait: queue.Wait{Reason: budget.ReasonRetryAfter, For: 7 * time.Second}})
	m.QueueEvent("acme", queue.Event{Type: queue.EventWait, Wait: queue.Wait{Reason: budget.ReasonRate, For: 20 * time.Second}})
	done := queue.Job{Key: "k1", State: queue.StateSucceeded, Credits: 4}
	m.QueueEvent("acme", queue.Event{Type: queue.EventJob, Job: done})
	m.QueueEvent("acme", queue.Event{Type: queue.EventJob, Job: done}) // published twice, counted once
	m.QueueEvent("acme", queue.Event{Type: queue.EventJob, Job: queue.Job{Key: "k2", State: queue.StateFailed, Credits: 4}})
	m.QueueEvent("acme", queue.Event{Type: queue.EventJob, Job: queue.Job{Key: "k3", State: queue.StateRunning}})
	m.SetQueue("acme", []queue.Job{{State: queue.StatePending}, {State: queue.StatePending}, {State: queue.StateRunning}})
	m.SetRunning("acme", 1)
	return m
}

func TestLint(t *testing.T) {
	now := t0.Add(5 * time.Second)
	m := fixture(&now)
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

func TestValues(t *testing.T) {
	now := t0.Add(5 * time.Second)
	m := fixture(&now)
	want := `
# HELP abtop_credits_spent_total Credits charged for jobs that succeeded (failed jobs are refunded).
# TYPE abtop_credits_spent_total counter
abtop_credits_spent_total{profile="acme"} 4
abtop_credits_spent_total{profile="beta"} 0
# HELP abtop_jobs_finished_total Jobs of this process's queue that reached a final status.
# TYPE abtop_jobs_finished_total counter
abtop_jobs_finished_total{profile="acme",status="canceled"} 0
abtop_jobs_finished_total{profile="acme",status="failed"} 1
abtop_jobs_finished_total{profile="acme",status="succeeded"} 1
abtop_jobs_finished_total{profile="beta",status="canceled"} 0
abtop_jobs_finished_total{profile="beta",status="failed"} 0
abtop_jobs_finished_total{profile="beta",status="succeeded"} 0
# HELP abtop_jobs_running Jobs running on the server.
# TYPE abtop_jobs_running gauge
abtop_jobs_running{profile="acme"} 1
# HELP abtop_quota_remaining Write requests left this calendar month.
# TYPE abtop_quota_remaining gauge
abtop_quota_remaining{profile="acme"} 4321
# HELP abtop_quota_reset_seconds Seconds until the monthly quota resets.
# TYPE abtop_quota_reset_seconds gauge
abtop_quota_reset_seconds{profile="acme"} 172797
# HELP abtop_queue_jobs Jobs in this process's local queue, by state.
# TYPE abtop_queue_jobs gauge
abtop_queue_jobs{profile="acme",state="canceled"} 0
abtop_queue_jobs{profile="acme",state="created"} 0
abtop_queue_jobs{profile="acme",state="failed"} 0
abtop_queue_jobs{profile="acme",state="pending"} 2
abtop_queue_jobs{profile="acme",state="running"} 1
abtop_queue_jobs{profile="acme",state="sending"} 0
abtop_queue_jobs{profile="acme",state="succeeded"} 0
# HELP abtop_rate_limited_responses_total 429 Too Many Requests responses drawn.
# TYPE abtop_rate_limited_responses_total counter
abtop_rate_limited_responses_total{profile="acme"} 1
abtop_rate_limited_responses_total{profile="beta"} 0
# HELP abtop_ratelimit_remaining Left in the current rate-limit window (the full allowance once its reset has passed).
# TYPE abtop_ratelimit_remaining gauge
abtop_ratelimit_remaining{dimension="requests",profile="acme"} 0
# HELP abtop_ratelimit_reset_seconds Seconds until the rate-limit window resets.
# TYPE abtop_ratelimit_reset_seconds gauge
abtop_ratelimit_reset_seconds{dimension="requests",profile="acme"} 27
# HELP abtop_requests_total API requests answered, by HTTP status code (transport_error: no answer).
# TYPE abtop_requests_total counter
abtop_requests_total{code="200",profile="acme"} 1
abtop_requests_total{code="201",profile="acme"} 1
abtop_requests_total{code="429",profile="acme"} 1
abtop_requests_total{code="transport_error",profile="acme"} 1
# HELP abtop_retry_after_wait_seconds_total Seconds the scheduler waited because the server sent Retry-After.
# TYPE abtop_retry_after_wait_seconds_total counter
abtop_retry_after_wait_seconds_total{profile="acme"} 7
abtop_retry_after_wait_seconds_total{profile="beta"} 0
`
	names := []string{"abtop_credits_spent_total", "abtop_jobs_finished_total", "abtop_jobs_running", "abtop_quota_remaining",
		"abtop_quota_reset_seconds", "abtop_queue_jobs", "abtop_rate_limited_responses_total", "abtop_ratelimit_remaining",
		"abtop_ratelimit_reset_seconds", "abtop_requests_total", "abtop_retry_after_wait_seconds_total"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(m.latency); n != 2 {
		t.Fatalf("latency series = %d, want read and write", n)
	}
	// The countdown runs between responses, and a passed reset refills.
	now = t0.Add(time.Minute)
	if v := testutil.ToFloat64(gaugeOf(m, "abtop_ratelimit_remaining")); v != 60 {
		t.Fatalf("after the reset: remaining %v, want the full 60", v)
	}
}

// gaugeOf collects the one series of name from the state collector.
func gaugeOf(m *Metrics, name string) *filtered {
	return &filtered{c: m.state, name: name}
}

func TestHandlerServesOpenMetrics(t *testing.T) {
	now := t0
	m := fixture(&now)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx, ln) }()
	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/metrics", nil)
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/openmetrics-text") ||
		!strings.Contains(string(body), `abtop_requests_total{code="429",profile="acme"} 1.0`) || !strings.HasSuffix(string(body), "# EOF\n") {
		t.Fatalf("%s\n%s", resp.Header.Get("Content-Type"), body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(rec.Body.String(), "# TYPE abtop_request_duration_seconds histogram") {
		t.Fatal(rec.Body.String())
	}
}

// A provider's own unit words must not grow the label set.
func TestUnknownDimensionIsOther(t *testing.T) {
	m := New(func() time.Time { return t0 })
	h := http.Header{"X-Ratelimit-Limit": {"10"}, "X-Ratelimit-Remaining": {"3"}, "X-Ratelimit-Unit": {"bananas-" + strings.Repeat("x", 50)}}
	m.Observe("p", apiclient.Observation{Status: 200, Snapshot: usage.Parse(h, t0)})
	out := httptest.NewRecorder()
	m.Handler().ServeHTTP(out, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(out.Body.String(), `abtop_ratelimit_remaining{dimension="other",profile="p"} 3`) {
		t.Fatal(out.Body.String())
	}
}
