package problem

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

// Snapshot returns s with what the body stated about limits and credits
// folded in (usage.WithBody): one view of the response for the scheduler
// and every surface. A nil p returns s.
func (p *Problem) Snapshot(s usage.Snapshot) usage.Snapshot {
	if p == nil {
		return s
	}
	return usage.WithBody(s, p.Limits, p.Balance)
}

// readGraphQLCost reads Shopify's GraphQL cost report (extensions.cost:
// requestedQueryCost, actualQueryCost, throttleStatus{maximumAvailable,
// currentlyAvailable, restoreRate}) as a points bucket. The bucket refills
// at restoreRate points a second, so it is full again (max-current)/rate
// from now and a whole bucket takes max/rate: that is its window. A
// THROTTLED answer can be retried once the requested cost is available
// again: (requested-current)/rate, kept as the body's retry hint.
func (p *Problem) readGraphQLCost(ext map[string]any) {
	cost, ok := ext["cost"].(map[string]any)
	if !ok {
		return
	}
	ts, ok := cost["throttleStatus"].(map[string]any)
	if !ok {
		return
	}
	maxA, okM := finite(ts["maximumAvailable"])
	cur, okC := finite(ts["currentlyAvailable"])
	rate, okR := finite(ts["restoreRate"])
	if !okM || !okC || maxA <= 0 || cur < 0 || cur > maxA {
		return
	}
	l := usage.Limit{Unit: usage.UnitPoints, Source: usage.SourceGraphQLCost,
		Limit: i64(math.Floor(maxA)), Remaining: i64(math.Floor(cur))}
	l.Used = i64(math.Floor(maxA) - math.Floor(cur))
	if req, ok := finite(cost["requestedQueryCost"]); ok && req >= 0 {
		l.Cost = i64(math.Ceil(req))
		if act, ok := finite(cost["actualQueryCost"]); ok && act >= 0 {
			l.Cost = i64(math.Ceil(act))
		}
	}
	if okR && rate > 0 {
		r := rate
		l.RestoreRate = &r
		l.ResetAfter = seconds((maxA - cur) / rate)
		l.Window = seconds(maxA / rate)
		if req, ok := finite(cost["requestedQueryCost"]); ok && req > cur {
			p.BodyRetryAfter = maxDuration(p.BodyRetryAfter, seconds((req-cur)/rate))
		}
	}
	p.Limits = append(p.Limits, l)
}

// Extension member names (lower case, "_" and "-" dropped) that state a
// limit or a balance. Real bodies: RFC 9457 §3's example ("balance": 30,
// out-of-credit), Fly.io Sprites' 429 (limit, window_seconds,
// retry_after_seconds), Discourse's 429 (extras.wait_seconds, a wait).
var (
	limitNames     = []string{"limit", "ratelimit", "ratelimitlimit", "max", "maxrequests"}
	remainingNames = []string{"remaining", "ratelimitremaining", "left"}
	resetNames     = []string{"reset", "resetafter", "resetin", "resetseconds", "ratelimitreset"}
	windowNames    = []string{"window", "windowseconds", "period", "periodseconds", "interval"}
	balanceNames   = []string{"balance", "credits", "creditsremaining", "creditbalance", "remainingcredits"}
)

// readExtensionLimits reads a rate limit from RFC 9457 extension members.
// A "remaining" count is required: "limit" alone is ambiguous (seed 002's
// details.limit is a concurrency limit, read by the scheduler as such).
func (p *Problem) readExtensionLimits(m map[string]any) {
	get := func(names []string) (any, bool) {
		for k, v := range m {
			n := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
			for _, want := range names {
				if n == want {
					return v, true
				}
			}
		}
		return nil, false
	}
	if v, ok := get(balanceNames); ok {
		if f, ok := finite(v); ok {
			p.Balance = &f
		}
	}
	rv, ok := get(remainingNames)
	if !ok {
		return
	}
	rem, ok := finite(rv)
	if !ok || rem < 0 {
		return
	}
	l := usage.Limit{Unit: usage.UnitRequests, Source: usage.SourceBody, Remaining: i64(math.Floor(rem))}
	if u := str(m["unit"]); u != "" {
		l.Unit = strings.ToLower(u)
	}
	if v, ok := get(limitNames); ok {
		if f, ok := finite(v); ok && f >= rem {
			l.Limit = i64(math.Floor(f))
		}
	}
	if v, ok := get(resetNames); ok {
		if d, ok := waitValue(v, time.Second); ok {
			l.ResetAfter = &d
		}
	}
	if v, ok := get(windowNames); ok {
		if d, ok := waitValue(v, time.Second); ok && d > 0 {
			l.Window = &d
		}
	}
	p.Limits = append(p.Limits, l)
}

// finite reads a JSON number (or numeric string) that is a finite value.
func finite(v any) (float64, bool) {
	s := str(v)
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
		return 0, false
	}
	return f, true
}

func i64(f float64) *int64 { n := int64(f); return &n }

// seconds converts a count of seconds to a Duration, nil when absurd.
func seconds(f float64) *time.Duration {
	if math.IsNaN(f) || f < 0 || f*float64(time.Second) > float64(maxBodyWait) {
		return nil
	}
	d := time.Duration(math.Round(f * float64(time.Second)))
	return &d
}
