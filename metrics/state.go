package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

// stateCollector holds each profile's latest observation and turns it
// into gauges at scrape time, so seconds-to-reset counts down between
// responses instead of freezing at the last one.
type stateCollector struct {
	now func() time.Time

	mu       sync.Mutex
	profiles map[string]*profileState
}

type window struct {
	limit, remaining *int64
	reset            time.Time // local clock; zero when unknown
}

type profileState struct {
	observed time.Time
	limits   map[string]window // by dimension
	quota    *window
	credits  *float64
	running  *int
	queue    map[queue.State]int // nil until SetQueue
}

// Every queue state is exported, zero included, so a state that empties
// reads 0 rather than vanishing.
var queueStates = []queue.State{queue.StatePending, queue.StateSending, queue.StateCreated,
	queue.StateRunning, queue.StateSucceeded, queue.StateFailed, queue.StateCanceled}

// Dimensions with a name of their own; a provider's other words are
// "other", so a server cannot grow the label set.
var dimensions = map[string]bool{usage.UnitRequests: true, usage.UnitPoints: true, usage.UnitTokens: true,
	usage.UnitInputTokens: true, usage.UnitOutputTokens: true}

var (
	descLimit = prometheus.NewDesc("abtop_ratelimit_limit",
		"Allowance per rate-limit window, by dimension (requests, points, tokens, …).", []string{"profile", "dimension"}, nil)
	descRemaining = prometheus.NewDesc("abtop_ratelimit_remaining",
		"Left in the current rate-limit window (the full allowance once its reset has passed).", []string{"profile", "dimension"}, nil)
	descReset = prometheus.NewDesc("abtop_ratelimit_reset_seconds",
		"Seconds until the rate-limit window resets.", []string{"profile", "dimension"}, nil)
	descQuotaLimit = prometheus.NewDesc("abtop_quota_limit",
		"Write requests allowed this calendar month.", []string{"profile"}, nil)
	descQuotaRemaining = prometheus.NewDesc("abtop_quota_remaining",
		"Write requests left this calendar month.", []string{"profile"}, nil)
	descQuotaReset = prometheus.NewDesc("abtop_quota_reset_seconds",
		"Seconds until the monthly quota resets.", []string{"profile"}, nil)
	descCredits = prometheus.NewDesc("abtop_credits_remaining",
		"Credit balance after the latest request (X-Credits-Remaining).", []string{"profile"}, nil)
	descRunning = prometheus.NewDesc("abtop_jobs_running",
		"Jobs running on the server.", []string{"profile"}, nil)
	descQueue = prometheus.NewDesc("abtop_queue_jobs",
		"Jobs in this process's local queue, by state.", []string{"profile", "state"}, nil)
	descObserved = prometheus.NewDesc("abtop_last_observation_timestamp_seconds",
		"Unix time of the latest response that carried usage headers.", []string{"profile"}, nil)
)

func newStateCollector(now func() time.Time) *stateCollector {
	return &stateCollector{now: now, profiles: map[string]*profileState{}}
}

func (c *stateCollector) profile(name string) *profileState {
	p := c.profiles[name]
	if p == nil {
		p = &profileState{limits: map[string]window{}}
		c.profiles[name] = p
	}
	return p
}

// observe keeps what s says; absent values keep their earlier ones.
func (c *stateCollector) observe(profile string, s usage.Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.profile(profile)
	said := false
	seen := map[string]float64{} // dimension → fraction of the limit kept
	for _, l := range s.Limits {
		if l.Limit == nil && l.Remaining == nil {
			continue
		}
		dim := l.Unit
		if !dimensions[dim] {
			dim = "other"
		}
		// Two limits of one dimension (per-minute and per-day, say) would
		// be one series twice: keep the tighter.
		if f, ok := seen[dim]; ok && (l.Fraction() < 0 || f >= 0 && f <= l.Fraction()) {
			continue
		}
		seen[dim] = l.Fraction()
		p.limits[dim] = windowOf(l.Limit, l.Remaining, l.ResetAfter, s.Received)
		said = true
	}
	if q := s.Quota; q != nil && (q.Limit != nil || q.Remaining != nil) {
		w := windowOf(q.Limit, q.Remaining, q.ResetAfter, s.Received)
		p.quota = &w
		said = true
	}
	if s.Credits != nil {
		p.credits = s.Credits
		said = true
	}
	if said {
		p.observed = s.Received
	}
}

func windowOf(limit, remaining *int64, resetAfter *time.Duration, received time.Time) window {
	w := window{limit: limit, remaining: remaining}
	if resetAfter != nil {
		w.reset = received.Add(*resetAfter) // from the server's Date, i.e. our Received
	}
	return w
}

func (c *stateCollector) setQueue(profile string, jobs []queue.Job) {
	counts := map[queue.State]int{}
	for _, j := range jobs {
		counts[j.State]++
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.profile(profile).queue = counts
}

func (c *stateCollector) setRunning(profile string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.profile(profile).running = &n
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLimit, descRemaining, descReset, descQuotaLimit, descQuotaRemaining,
		descQuotaReset, descCredits, descRunning, descQueue, descObserved} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for name, p := range c.profiles {
		for dim, w := range p.limits {
			w.collect(gauge, now, descLimit, descRemaining, descReset, name, dim)
		}
		if p.quota != nil {
			p.quota.collect(gauge, now, descQuotaLimit, descQuotaRemaining, descQuotaReset, name)
		}
		if p.credits != nil {
			gauge(descCredits, *p.credits, name)
		}
		if p.running != nil {
			gauge(descRunning, float64(*p.running), name)
		}
		if p.queue != nil {
			for _, s := range queueStates {
				gauge(descQueue, float64(p.queue[s]), name, string(s))
			}
		}
		if !p.observed.IsZero() {
			gauge(descObserved, float64(p.observed.UnixNano())/1e9, name)
		}
	}
}

// collect exports one window; once its reset has passed, the window is
// full again (as the budget assumes) and the countdown reads 0.
func (w window) collect(gauge func(*prometheus.Desc, float64, ...string), now time.Time, limit, remaining, reset *prometheus.Desc, labels ...string) {
	rem := w.remaining
	passed := !w.reset.IsZero() && !now.Before(w.reset)
	if passed && w.limit != nil {
		rem = w.limit
	}
	if w.limit != nil {
		gauge(limit, float64(*w.limit), labels...)
	}
	if rem != nil {
		gauge(remaining, float64(*rem), labels...)
	}
	if !w.reset.IsZero() {
		gauge(reset, max(w.reset.Sub(now).Seconds(), 0), labels...)
	}
}
