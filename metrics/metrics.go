// Package metrics exposes what abtop observes as Prometheus metrics:
// gauges per profile and limit dimension, counters of requests, 429s,
// Retry-After waits, finished jobs and credits spent, and a request
// latency histogram. Each Metrics has its own registry (nothing global),
// so tests and several profiles never collide.
//
// Names follow Prometheus conventions: the abtop_ prefix, base units in
// the name (_seconds), _total on counters, and bounded label values:
// profile (from the config), dimension (a known unit or "other"), code
// (an HTTP status class member or "transport_error"), state and status
// (the queue's fixed sets). No job id, model or path is ever a label.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
)

const namespace = "abtop"

// Metrics is one process's metrics. Safe for concurrent use.
type Metrics struct {
	reg   *prometheus.Registry
	state *stateCollector

	requests     *prometheus.CounterVec
	rateLimited  *prometheus.CounterVec
	retryAfter   *prometheus.CounterVec
	jobsFinished *prometheus.CounterVec
	creditsSpent *prometheus.CounterVec
	latency      *prometheus.HistogramVec

	mu       sync.Mutex
	finished map[string]struct{} // profile + job key already counted as finished
}

// New returns Metrics with a fresh registry holding abtop's metrics and
// the Go runtime and process collectors. now is the clock the
// seconds-to-reset gauges count down with (nil: time.Now).
func New(now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	m := &Metrics{
		reg:   prometheus.NewRegistry(),
		state: newStateCollector(now),
		requests: counter("requests_total",
			"API requests answered, by HTTP status code (transport_error: no answer).",
			"profile", "code"),
		rateLimited: counter("rate_limited_responses_total",
			"429 Too Many Requests responses drawn.",
			"profile"),
		retryAfter: counter("retry_after_wait_seconds_total",
			"Seconds the scheduler waited because the server sent Retry-After.",
			"profile"),
		jobsFinished: counter("jobs_finished_total",
			"Jobs of this process's queue that reached a final status.",
			"profile", "status"),
		creditsSpent: counter("credits_spent_total",
			"Credits charged for jobs that succeeded (failed jobs are refunded).",
			"profile"),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "request_duration_seconds",
			Help:    "API request latency, from send to the end of the body.",
			Buckets: []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}, []string{"profile", "kind"}),
		finished: map[string]struct{}{},
	}
	m.reg.MustRegister(m.state, m.requests, m.rateLimited, m.retryAfter, m.jobsFinished, m.creditsSpent, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// counter is one of abtop's counters: its name (after abtop_), its help
// and its labels.
func counter(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
}

// Registry is where the metrics live (for tests and extra collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format, or
// OpenMetrics when the scraper asks for it.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{EnableOpenMetrics: true, ErrorHandling: promhttp.ContinueOnError})
}

// Observer returns an apiclient.Options.Observer for profile. It starts
// the profile's counters at zero so rate() works from the first scrape.
func (m *Metrics) Observer(profile string) func(apiclient.Observation) {
	m.rateLimited.WithLabelValues(profile)
	m.retryAfter.WithLabelValues(profile)
	m.creditsSpent.WithLabelValues(profile)
	for _, s := range []queue.State{queue.StateSucceeded, queue.StateFailed, queue.StateCanceled} {
		m.jobsFinished.WithLabelValues(profile, string(s))
	}
	return func(o apiclient.Observation) { m.Observe(profile, o) }
}

// Observe counts one response (or transport failure) and updates the
// profile's gauges from its headers.
func (m *Metrics) Observe(profile string, o apiclient.Observation) {
	m.requests.WithLabelValues(profile, code(o.Status)).Inc()
	if o.Status == http.StatusTooManyRequests {
		m.rateLimited.WithLabelValues(profile).Inc()
	}
	kind := "read"
	if o.Write {
		kind = "write"
	}
	m.latency.WithLabelValues(profile, kind).Observe(o.Latency.Seconds())
	m.state.observe(profile, o.Snapshot)
}

// QueueEvent counts Retry-After waits and jobs reaching a final status
// (each job once, however often its final state is published).
func (m *Metrics) QueueEvent(profile string, ev queue.Event) {
	switch ev.Type {
	case queue.EventWait:
		if ev.Wait.Reason == budget.ReasonRetryAfter && ev.Wait.For > 0 {
			m.retryAfter.WithLabelValues(profile).Add(ev.Wait.For.Seconds())
		}
	case queue.EventJob:
		j := ev.Job
		switch j.State {
		case queue.StateSucceeded, queue.StateFailed, queue.StateCanceled:
		default:
			return
		}
		m.mu.Lock()
		_, seen := m.finished[profile+"\x00"+j.Key]
		m.finished[profile+"\x00"+j.Key] = struct{}{}
		m.mu.Unlock()
		if seen {
			return
		}
		m.jobsFinished.WithLabelValues(profile, string(j.State)).Inc()
		if j.State == queue.StateSucceeded && j.Credits > 0 {
			m.creditsSpent.WithLabelValues(profile).Add(j.Credits)
		}
	}
}

// SetQueue sets the queue depth by state from the queue's job list.
func (m *Metrics) SetQueue(profile string, jobs []queue.Job) { m.state.setQueue(profile, jobs) }

// SetRunning sets the number of jobs running on the server, as a job
// list or the queue knows it.
func (m *Metrics) SetRunning(profile string, n int) { m.state.setRunning(profile, n) }

// code is the status as a label value from a bounded set.
func code(status int) string {
	switch {
	case status == 0:
		return "transport_error"
	case status < 100 || status > 599:
		return "other"
	}
	return strconv.Itoa(status)
}
