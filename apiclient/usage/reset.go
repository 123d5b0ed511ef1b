package usage

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Thresholds of the numeric reset heuristic. A bare number in a reset or
// Retry-After field is ambiguous: seed 000/003 send delta seconds in
// Retry-After, seeds 001/002 and Twitter (x-rate-limit-reset) send Unix
// seconds, IETF draft RateLimit-Reset sends delta seconds. No real window
// lasts 31 years, so anything above 1e9 is an instant, not a span.
const (
	epochSecondsMin = 1e9  // 2001-09-09: larger numbers are Unix seconds
	epochMillisMin  = 1e12 // 2001-09-09 in ms: larger numbers are Unix milliseconds
	// maxAhead bounds how far in the future a reset may lie before we call
	// the value garbage (a monthly quota resets within ~31 days; a year is generous).
	maxAhead = 366 * 24 * time.Hour
)

// ParseReset reads one reset value in any format abtop knows and returns the
// time from ref until the reset:
//   - HTTP-date in the three RFC 9110 §5.6.7 forms (IMF-fixdate, RFC 850, asctime),
//     via net/http.ParseTime (seed 000 X-RateLimit-Reset, seed 003);
//   - Unix seconds, also fractional (seeds 001/002, Twitter x-rate-limit-reset),
//     and Unix milliseconds;
//   - delta seconds, also decimal (IETF draft RateLimit-Reset, Discord Reset-After);
//   - Go durations such as "6m0s", "20ms" (OpenAI x-ratelimit-reset-*);
//   - RFC 3339 (anthropic-ratelimit-*-reset).
//
// A reset in the past yields (0, true): the window has already reset.
// ok is false for garbage, negative spans, the -1 sentinel, NaN/Inf and
// values too far ahead to be believed. The result is never negative.
func ParseReset(value string, ref time.Time) (time.Duration, bool) {
	d, _, ok := parseInstant(value, ref)
	return d, ok
}

// ParseRetryAfter reads the values of every Retry-After field of a response
// (RFC 9110 §10.2.3: delta-seconds or HTTP-date; decimals accepted) and
// returns the most conservative, i.e. the longest, wait from ref. A date in
// the past counts as 0. ok is false when no value is understood.
func ParseRetryAfter(values []string, ref time.Time) (time.Duration, bool) {
	d, ok, _ := parseRetryAfter("Retry-After", values, ref)
	return d, ok
}

// parseRetryAfter is ParseRetryAfter that also explains what it rejected.
func parseRetryAfter(name string, values []string, ref time.Time) (time.Duration, bool, []string) {
	var (
		best  time.Duration
		found bool
		notes []string
	)
	for _, v := range values {
		for _, item := range splitRetryAfter(v) {
			d, note, ok := parseInstant(item, ref)
			if note != "" {
				notes = append(notes, fmt.Sprintf("%s: %s", name, note))
			}
			if !ok {
				continue
			}
			if !found || d > best {
				best = d
			}
			found = true
		}
	}
	return best, found, notes
}

// splitRetryAfter splits a field value that proxies may have folded from
// duplicate fields ("30, 60"). An HTTP-date contains a comma itself
// ("Wed, 21 Oct 2015 07:28:00 GMT"), so a value that parses as a date whole
// is kept whole.
func splitRetryAfter(v string) []string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, ",") {
		return []string{v}
	}
	if _, err := http.ParseTime(v); err == nil {
		return []string{v}
	}
	parts := strings.Split(v, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseInstant is the engine of ParseReset. note is a readable reason
// (without the header name) whenever the value was rejected or adjusted.
func parseInstant(value string, ref time.Time) (d time.Duration, note string, ok bool) {
	v := strings.Trim(strings.TrimSpace(value), `"`)
	if v == "" {
		return 0, fmt.Sprintf("%s is empty", quote(value)), false
	}
	// Numbers first: they are the most common and the cheapest.
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return fromNumber(value, f, ref)
	} else if isNumeric(v) {
		// ParseFloat failed on something that looks numeric: out of range.
		return 0, fmt.Sprintf("%s is out of range", quote(value)), false
	}
	if t, err := http.ParseTime(v); err == nil {
		return untilInstant(value, t, ref)
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return untilInstant(value, t, ref)
	}
	// RFC 1123 with a numeric zone (+0000) is not an RFC 9110 form but
	// some servers send it.
	if t, err := time.Parse(time.RFC1123Z, v); err == nil {
		return untilInstant(value, t, ref)
	}
	if dur, err := time.ParseDuration(v); err == nil {
		if dur < 0 {
			return 0, fmt.Sprintf("%s is a negative duration; ignored", quote(value)), false
		}
		if dur > maxAhead {
			return 0, fmt.Sprintf("%s is implausibly far ahead; ignored", quote(value)), false
		}
		return dur, "", true
	}
	return 0, fmt.Sprintf("%s is not a time, a date or a number of seconds", quote(value)), false
}

// fromNumber applies the numeric heuristic (see epochSecondsMin).
func fromNumber(raw string, f float64, ref time.Time) (time.Duration, string, bool) {
	if msg := unusableNumber(raw, f); msg != "" {
		return 0, msg, false
	}
	switch {
	case f >= epochMillisMin:
		if f > 1e15 { // beyond year 33658 in ms: garbage, and avoids overflow below
			return 0, fmt.Sprintf("%s is out of range", quote(raw)), false
		}
		ms := int64(f)
		return untilInstant(raw, time.UnixMilli(ms), ref)
	case f >= epochSecondsMin || (f > maxAhead.Seconds() && !ref.IsZero() &&
		math.Abs(f-float64(ref.Unix())) <= maxAhead.Seconds()):
		// Also below 1e9: a number too large to be a delta is an instant
		// when a clock is known (a server clock in 2000, say, or a test's
		// fake clock); untilInstant rejects it if it lies nowhere near ref.
		sec, frac := math.Modf(f)
		return untilInstant(raw, time.Unix(int64(sec), int64(frac*1e9)), ref)
	default:
		d := seconds(f)
		if d > maxAhead {
			return 0, fmt.Sprintf("%s seconds is implausibly far ahead; ignored", quote(raw)), false
		}
		return d, "", true
	}
}

// untilInstant turns an absolute reset time into a wait from ref.
func untilInstant(raw string, t, ref time.Time) (time.Duration, string, bool) {
	if ref.IsZero() {
		return 0, fmt.Sprintf("%s is absolute but there is no reference clock", quote(raw)), false
	}
	d := t.Sub(ref)
	if d < 0 {
		return 0, fmt.Sprintf("%s is in the past; counted as 0", quote(raw)), true
	}
	if d > maxAhead {
		return 0, fmt.Sprintf("%s is implausibly far ahead; ignored", quote(raw)), false
	}
	return d, "", true
}

// isNumeric reports whether s looks like a plain decimal number (so that a
// ParseFloat failure means overflow rather than garbage).
func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '.':
		case (r == '-' || r == '+') && i == 0:
		default:
			return false
		}
	}
	return true
}

// quote renders a header value for a Problems note: quoted, and cut short
// so a hostile value cannot flood the screen.
func quote(v string) string {
	const maxLen = 64
	if len(v) > maxLen {
		cut := maxLen
		for cut > 0 && !utf8RuneStart(v[cut]) {
			cut--
		}
		v = v[:cut] + "…"
	}
	return strconv.Quote(v)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
