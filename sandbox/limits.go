package sandbox

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// window is a fixed rate-limit window aligned on multiples of its length.
type window struct {
	start time.Time
	used  int
}

// roll moves w to the window containing now.
func (w *window) roll(now time.Time, length time.Duration) {
	if start := now.Truncate(length); !start.Equal(w.start) {
		w.start, w.used = start, 0
	}
}

// counter counts writes in a calendar period (a UTC day or month).
type counter struct {
	period time.Time
	used   int
}

func (c *counter) roll(period time.Time) {
	if !period.Equal(c.period) {
		c.period, c.used = period, 0
	}
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func monthStart(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// ceilSeconds is d rounded up to whole seconds, at least 1: what a
// delta-seconds Retry-After says so a client that obeys it is never early.
func ceilSeconds(d time.Duration) int64 {
	s := int64(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return s
}

// PointCost is what a request costs in the points dialect (seed 003: 1–10
// points by complexity). Every other dialect charges 1 per request.
//
//	GET  /v1/balance              1  (one small resource)
//	GET  /v1/jobs/{id}            1  (one resource)
//	GET  /v1/models               5  (a list)
//	GET  /v1/jobs?status=…        5  (a filtered list)
//	GET  /v1/jobs                 10 (an unfiltered list: the heavy read)
//	POST /v1/jobs                 3  (a write)
//	POST /v1/jobs/{id}/cancel     3  (a write)
//	anything else (404, 405)      1
func PointCost(method, path string, filtered bool) int {
	switch r := matchRoute(method, path); r.name {
	case routeBalance, routeGetJob:
		return 1
	case routeModels:
		return 5
	case routeListJobs:
		if filtered {
			return 5
		}
		return 10
	case routeCreateJob, routeCancelJob:
		return 3
	}
	return 1
}

// rateLimit returns the window allowance for an org in this dialect.
func (s *Sandbox) rateLimit(l Limits) int {
	if s.opts.Dialect == DialectPoints {
		return l.Points
	}
	return l.Requests
}

// anonLimit is the window allowance shared by unauthenticated requests.
const anonLimit = 60

// rateHeaders sets X-RateLimit-* for a window of the given allowance.
func (s *Sandbox) rateHeaders(h http.Header, w window, limit int) {
	reset := w.start.Add(s.opts.Window)
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(limit-w.used, 0)))
	switch s.opts.Dialect {
	case DialectAbstraktUnix, DialectPredictions:
		h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	default:
		h.Set("X-RateLimit-Reset", reset.Format(http.TimeFormat))
	}
}

// orgHeaders sets every usage header of an authenticated response.
func (s *Sandbox) orgHeaders(h http.Header, o *org, now time.Time) {
	s.rateHeaders(h, o.win, s.rateLimit(o.limits))
	if o.limits.MonthlyWrites > 0 {
		h.Set("X-Quota-Limit", strconv.Itoa(o.limits.MonthlyWrites))
		h.Set("X-Quota-Remaining", strconv.Itoa(max(o.limits.MonthlyWrites-o.month.used, 0)))
		h.Set("X-Quota-Reset", monthStart(now).AddDate(0, 1, 0).Format(http.TimeFormat))
	}
	h.Set("X-Credits-Remaining", strconv.FormatFloat(o.credits, 'f', -1, 64))
	if s.opts.IETFHeaders {
		s.ietfHeaders(h, o, now)
	}
}

// ietfHeaders sets RateLimit-Policy and RateLimit (structured-field lists
// keyed by policy name; q quota, w window seconds, r remaining, t seconds
// until reset).
func (s *Sandbox) ietfHeaders(h http.Header, o *org, now time.Time) {
	limit := s.rateLimit(o.limits)
	reset := ceilSeconds(o.win.start.Add(s.opts.Window).Sub(now))
	policy := fmt.Sprintf(`"window";q=%d;w=%d`, limit, int64(s.opts.Window/time.Second))
	state := fmt.Sprintf(`"window";r=%d;t=%d`, max(limit-o.win.used, 0), reset)
	if d := o.limits.DailyWrites; d > 0 {
		policy += fmt.Sprintf(`, "daily";q=%d;w=86400`, d)
		state += fmt.Sprintf(`, "daily";r=%d;t=%d`, max(d-o.day.used, 0), ceilSeconds(dayStart(now).AddDate(0, 0, 1).Sub(now)))
	}
	h.Set("RateLimit-Policy", policy)
	h.Set("RateLimit", state)
}
