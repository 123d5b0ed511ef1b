package usage

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

var sprintf = fmt.Sprintf

// trimOWS trims optional whitespace and the quotes some servers wrap around
// numbers and dates.
func trimOWS(s string) string {
	return strings.Trim(strings.TrimSpace(s), `"`)
}

// count reads a non-negative integer header (a limit, a remaining count).
// When a proxy folded duplicates ("60, 59") the smallest, most conservative
// value wins. Garbage, negatives, the -1 sentinel and overflow yield nil and
// a note.
func (p *parser) count(name string) *int64 {
	vs := p.h[name]
	if len(vs) == 0 {
		return nil
	}
	var best *int64
	for _, v := range vs {
		items := strings.Split(v, ",")
		if thousands(v) {
			items = []string{strings.ReplaceAll(v, ",", "")}
		}
		for _, item := range items {
			n, ok := p.parseCount(name, item)
			if ok && (best == nil || n < *best) {
				best = &n
			}
		}
	}
	return best
}

// parseCount parses one count value, noting why it was rejected.
func (p *parser) parseCount(name, raw string) (int64, bool) {
	n, note, ok := parseCountValue(raw)
	if note != "" {
		p.note("%s: %s", display(name), note)
	}
	return n, ok
}

// parseCountValue parses one count; note is non-empty when the value was
// rejected or adjusted.
func parseCountValue(raw string) (int64, string, bool) {
	v := trimOWS(raw)
	if v == "" {
		return 0, fmt.Sprintf("%s is empty", quote(raw)), false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if msg := unusableNumber(raw, float64(n)); msg != "" {
			return 0, msg, false
		}
		return n, "", true
	} else if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Sprintf("%s is out of range", quote(raw)), false
	}
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Sprintf("%s is out of range", quote(raw)), false
	case err != nil:
		return 0, fmt.Sprintf("%s is not a number", quote(raw)), false
	case unusableNumber(raw, f) != "":
		return 0, unusableNumber(raw, f), false
	case f >= math.MaxInt64:
		return 0, fmt.Sprintf("%s is out of range", quote(raw)), false
	}
	n := int64(math.Floor(f))
	if float64(n) != f {
		return n, fmt.Sprintf("%s is not a whole number; rounded down to %d", quote(raw), n), true
	}
	return n, "", true
}

// reset reads a reset header in any format ParseReset knows.
func (p *parser) reset(name string) *time.Duration {
	v, ok := p.get(name)
	if !ok {
		return nil
	}
	return p.resetValue(name, v)
}

// resetValue parses a reset value of header name, noting problems.
func (p *parser) resetValue(name, v string) *time.Duration {
	d, note, ok := parseInstant(v, p.ref)
	if note != "" {
		p.note("%s: %s", display(name), note)
	}
	if !ok {
		return nil
	}
	return &d
}

// deltaSeconds reads a header that is always a span in (decimal) seconds,
// such as Discord's X-RateLimit-Reset-After.
func (p *parser) deltaSeconds(canon string) *time.Duration {
	v, ok := p.get(canon)
	if !ok {
		return nil
	}
	name := display(canon)
	f, ok := parseFloat(v)
	switch {
	case !ok:
		p.note("%s: %s is not a number of seconds", name, quote(v))
		return nil
	case f < 0:
		p.note("%s: %s is negative; ignored", name, quote(v))
		return nil
	case f*float64(time.Second) > float64(maxAhead):
		p.note("%s: %s seconds is implausibly far ahead; ignored", name, quote(v))
		return nil
	}
	return ptr(seconds(f))
}

// seconds converts (decimal) seconds to a Duration, rounded to the
// nanosecond so 64.57 is 64.57s and not 64.569999999s.
func seconds(f float64) time.Duration {
	return time.Duration(math.Round(f * float64(time.Second)))
}

// display spells a canonical header name the way providers document it
// (Go canonicalizes X-RateLimit-Reset to X-Ratelimit-Reset).
func display(name string) string {
	return strings.ReplaceAll(name, "Ratelimit", "RateLimit")
}

// parseFloat parses a finite decimal number.
func parseFloat(v string) (float64, bool) {
	f, err := strconv.ParseFloat(trimOWS(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func ptr[T any](v T) *T { return &v }

// thousands reports whether v is one number written with thousands
// separators ("25,000"), not duplicates folded by a proxy ("60, 59", which
// net/http joins with ", ").
func thousands(v string) bool {
	groups := strings.Split(strings.TrimSpace(v), ",")
	if len(groups) < 2 || len(groups[0]) == 0 || len(groups[0]) > 3 {
		return false
	}
	for i, g := range groups {
		if i > 0 && len(g) != 3 {
			return false
		}
		for _, c := range g {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// unusableNumber says why f, read from raw, is neither a count nor a wait:
// not finite, the -1 "unknown" sentinel some servers send, or negative;
// "" when it is usable.
func unusableNumber(raw string, f float64) string {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return fmt.Sprintf("%s is not a finite number", quote(raw))
	case f == -1:
		return fmt.Sprintf("%s is the \"unknown\" sentinel", quote(raw))
	case f < 0:
		return fmt.Sprintf("%s is negative; ignored", quote(raw))
	}
	return ""
}
