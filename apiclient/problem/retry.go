package problem

import (
	"encoding/json"
	"math"
	"strings"
	"time"
)

// maxBodyWait bounds a wait read from a body: a value beyond a year is a
// unit mistake or garbage, not advice.
const maxBodyWait = 366 * 24 * time.Hour

// bodyRetryAfter reads a retry hint from the members of a JSON object:
// retry_after / retryAfter / retry_after_seconds (seconds, decimals allowed:
// Discord's 429 body has "retry_after": 64.57) or retry_after_ms /
// retryAfterMs (milliseconds). Strings holding a number or a Go duration
// ("6s") are accepted; Discourse's wait_seconds too. Negative, NaN and absurd values are ignored.
func bodyRetryAfter(m map[string]any) *time.Duration {
	var best *time.Duration
	for k, v := range m {
		var unit time.Duration
		switch strings.ToLower(strings.ReplaceAll(k, "_", "")) {
		case "retryafter", "retryafterseconds", "retryafters", "retryin", "waitseconds":
			unit = time.Second
		case "retryafterms", "retryaftermillis", "retryaftermilliseconds":
			unit = time.Millisecond
		default:
			continue
		}
		if d, ok := waitValue(v, unit); ok && (best == nil || d > *best) {
			best = &d
		}
	}
	return best
}

func waitValue(v any, unit time.Duration) (time.Duration, bool) {
	var f float64
	switch v := v.(type) {
	case json.Number:
		x, err := v.Float64()
		if err != nil {
			return 0, false
		}
		f = x
	case float64:
		f = v
	case string:
		s := strings.TrimSpace(v)
		if x, err := json.Number(s).Float64(); err == nil {
			f = x
		} else if d, err := time.ParseDuration(s); err == nil && d >= 0 && d <= maxBodyWait {
			return d, true
		} else {
			return 0, false
		}
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f*float64(unit) > float64(maxBodyWait) {
		return 0, false
	}
	return time.Duration(math.Round(f * float64(unit))), true
}

// maxDuration returns the longest of the known durations (nil when none).
func maxDuration(ds ...*time.Duration) *time.Duration {
	var best *time.Duration
	for _, d := range ds {
		if d != nil && (best == nil || *d > *best) {
			best = d
		}
	}
	return best
}
