// Package usagestate keeps what the dashboard knows about the budget: the
// latest value of each dimension with the time it was learned, a short
// history for the charts, and simple projections (burn rate, time to
// empty). It decides nothing: it only remembers and extrapolates for display.
package usagestate

import (
	"errors"
	"math"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

// Rate is the latest rate-limit reading.
type Rate struct {
	Limits  []usage.Limit
	Binding int
	At      time.Time // local time the response arrived
}

// BindingLimit is the most constrained dimension, if any.
func (r Rate) BindingLimit() (usage.Limit, bool) {
	if r.Binding >= 0 && r.Binding < len(r.Limits) {
		return r.Limits[r.Binding], true
	}
	if len(r.Limits) > 0 {
		return r.Limits[0], true
	}
	return usage.Limit{}, false
}

// Quota is the latest monthly quota reading.
type Quota struct {
	Q  usage.Quota
	At time.Time
}

// Credits is the latest balance.
type Credits struct {
	Value float64
	At    time.Time
	From  string // "header" (X-Credits-Remaining) or "balance" (GET /v1/balance)
}

// State accumulates observations. The zero value is not ready: use New.
type State struct {
	Rate    *Rate
	Quota   *Quota
	Credits *Credits
	Plan    string

	// EmbargoUntil is the local time before which the server asked for no
	// requests (Retry-After). Zero when none.
	EmbargoUntil time.Time
	Last429      time.Time
	Last402      time.Time
	Seen         int // responses observed
	Throttled    int // 429s observed

	Hist     *History
	quotaPts []point
	credPts  []point
	own      []time.Time // the monitor's own requests, for "abtop: N req/min"
}

type point struct {
	at time.Time
	v  float64
}

// New returns an empty state with a history of the given bucket size and length.
func New(bucket time.Duration, buckets int) *State {
	return &State{Hist: NewHistory(bucket, buckets)}
}

// Observe learns from one response (or transport failure) seen at now.
func (s *State) Observe(o apiclient.Observation, now time.Time) {
	snap := o.Snapshot
	at := snap.Received
	if at.IsZero() {
		at = now
	}
	s.Seen++
	if o.Status != 0 || o.Err == nil {
		s.Hist.Request(at)
	}
	if len(snap.Limits) > 0 {
		s.Rate = &Rate{Limits: snap.Limits, Binding: snap.Binding, At: at}
		if l, ok := s.Rate.BindingLimit(); ok {
			if f := l.Fraction(); f >= 0 {
				s.Hist.Remaining(at, float64(*l.Remaining))
			}
		}
	}
	if snap.Quota != nil && snap.Quota.Remaining != nil {
		s.Quota = &Quota{Q: *snap.Quota, At: at}
		s.quotaPts = addPoint(s.quotaPts, at, float64(*snap.Quota.Remaining))
	}
	if snap.Credits != nil {
		s.SetCredits(*snap.Credits, at, "header")
	}
	if snap.RetryAfter != nil {
		if until := at.Add(*snap.RetryAfter); until.After(s.EmbargoUntil) {
			s.EmbargoUntil = until
		}
	}
	switch o.Status {
	case 429:
		s.Last429 = at
		s.Throttled++
		s.Hist.Throttle(at)
	case 402:
		// only a credits 402 is about the balance; plan_required (or any
		// other code the problem names) belongs to the job that drew it
		if creditsError(o.Err) {
			s.Last402 = at
		}
	}
}

// SetCredits records a balance reading.
func (s *State) SetCredits(v float64, at time.Time, from string) {
	s.Credits = &Credits{Value: v, At: at, From: from}
	s.credPts = addPoint(s.credPts, at, v)
}

// ExtendEmbargo moves the embargo to until when that is later: a
// Retry-After the shared budget holds, which another process may have
// received (zero: none).
func (s *State) ExtendEmbargo(until time.Time) {
	if until.After(s.EmbargoUntil) {
		s.EmbargoUntil = until
	}
}

// SetPlan records the plan named by /v1/balance.
func (s *State) SetPlan(p string) { s.Plan = p }

// OwnRequests records n requests the monitor itself made at at.
func (s *State) OwnRequests(at time.Time, n int) {
	for range n {
		s.own = append(s.own, at)
	}
	s.own = trimTimes(s.own, at.Add(-time.Minute))
}

// OwnPerMinute is how many requests the monitor made in the minute before now.
func (s *State) OwnPerMinute(now time.Time) int {
	n := 0
	for _, t := range s.own {
		if now.Sub(t) <= time.Minute {
			n++
		}
	}
	return n
}

// Embargoed reports whether a Retry-After embargo is in force at now.
func (s *State) Embargoed(now time.Time) bool { return now.Before(s.EmbargoUntil) }

func trimTimes(ts []time.Time, before time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(before) {
		i++
	}
	return ts[i:]
}

// Forecast is a projection from recent history.
type Forecast struct {
	PerHour   float64       // units consumed per hour (> 0 when consuming)
	EmptyIn   time.Duration // time until 0 at this pace; valid when OK
	OK        bool          // enough history to say anything
	Consuming bool          // PerHour > 0
}

// forecastWindow is how much history a burn rate looks at, and
// minForecastHistory how much it needs before it says anything.
const (
	forecastWindow     = 30 * time.Minute
	minForecastHistory = time.Minute
)

func addPoint(ps []point, at time.Time, v float64) []point {
	ps = append(ps, point{at, v})
	cut := 0
	for cut < len(ps) && at.Sub(ps[cut].at) > forecastWindow {
		cut++
	}
	ps = ps[cut:]
	if len(ps) > 1024 {
		ps = ps[len(ps)-1024:]
	}
	return ps
}

func forecast(ps []point, remaining float64) Forecast {
	if len(ps) < 2 {
		return Forecast{}
	}
	first, last := ps[0], ps[len(ps)-1]
	el := last.at.Sub(first.at)
	if el < minForecastHistory {
		return Forecast{} // a burst of seconds is not a pace
	}
	used := first.v - last.v
	if used <= 0 { // refilled or idle: no consumption to project
		return Forecast{OK: true}
	}
	perHour := used / el.Hours()
	// Converting an infinite or huge float to a Duration is undefined:
	// check the hours first, and cap at a century.
	var empty time.Duration
	if h := remaining / perHour; h > 0 && !math.IsInf(h, 0) {
		empty = time.Duration(min(h, 100*365*24) * float64(time.Hour))
	}
	return Forecast{PerHour: perHour, EmptyIn: empty, OK: true, Consuming: true}
}

// QuotaForecast projects the monthly quota.
func (s *State) QuotaForecast() Forecast {
	if s.Quota == nil || s.Quota.Q.Remaining == nil {
		return Forecast{}
	}
	return forecast(s.quotaPts, float64(*s.Quota.Q.Remaining))
}

// CreditsForecast projects the credit balance.
func (s *State) CreditsForecast() Forecast {
	if s.Credits == nil {
		return Forecast{}
	}
	return forecast(s.credPts, s.Credits.Value)
}

// ResetIn is the time left until a reset reported as resetAfter on a
// response received at at (server-relative), seen at now.
func ResetIn(resetAfter *time.Duration, at, now time.Time) (time.Duration, bool) {
	if resetAfter == nil {
		return 0, false
	}
	d := *resetAfter - now.Sub(at)
	if d < 0 {
		d = 0
	}
	return d, true
}

// creditsError reports whether a 402 says the credits ran out: by the
// problem's code when the client parsed one (problem.Classify), else by
// the status alone, as before codes were read.
func creditsError(err error) bool {
	var ae *apiclient.Error
	if errors.As(err, &ae) {
		return ae.Kind == problem.KindCredits
	}
	return true
}
