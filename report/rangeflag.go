package report

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Range is a half-open span [From, To).
type Range struct{ From, To time.Time }

// maxSpan bounds a report to what the store can hold at all.
const maxSpan = 10 * 366 * 24 * time.Hour

// ParseRange reads --since, or --from and --to. since is a span back from
// now: "7d", "2w", "36h", "90m" or a Go duration. from and to are dates
// ("2026-11-01", the start of that day in zone) or RFC 3339 instants; to
// defaults to now, and a date as to includes that whole day. With nothing
// set the range is the last 7 days.
func ParseRange(since, from, to string, now time.Time, zone *time.Location) (Range, error) {
	if zone == nil {
		zone = time.Local
	}
	if since != "" && (from != "" || to != "") {
		return Range{}, errors.New("give --since, or --from/--to, not both")
	}
	if from == "" && to != "" {
		return Range{}, errors.New("--to needs --from")
	}
	if from == "" {
		if since == "" {
			since = "7d"
		}
		d, err := parseSpan(since)
		if err != nil {
			return Range{}, fmt.Errorf("--since %q: %w", since, err)
		}
		return Range{From: now.Add(-d), To: now}, nil
	}
	f, _, err := parseInstant(from, zone)
	if err != nil {
		return Range{}, fmt.Errorf("--from %q: %w", from, err)
	}
	t := now
	if to != "" {
		var isDate bool
		if t, isDate, err = parseInstant(to, zone); err != nil {
			return Range{}, fmt.Errorf("--to %q: %w", to, err)
		}
		if isDate {
			t = t.AddDate(0, 0, 1)
		}
	}
	if !f.Before(t) {
		return Range{}, fmt.Errorf("--from %s is not before --to %s", from, t.Format(time.RFC3339))
	}
	if t.Sub(f) > maxSpan {
		return Range{}, errors.New("the range is longer than ten years")
	}
	return Range{From: f, To: t}, nil
}

func parseSpan(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if n, unit := strings.TrimRight(s, "dw"), strings.TrimLeft(s, "0123456789"); (unit == "d" || unit == "w") && n != "" {
		v, err := strconv.Atoi(n)
		if err != nil || v > 3660 {
			return 0, errors.New("want a number of days or weeks up to ten years")
		}
		d = time.Duration(v) * 24 * time.Hour
		if unit == "w" {
			d *= 7
		}
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, errors.New(`want a span like "7d", "2w", "36h" or "90m"`)
		}
	}
	if d <= 0 {
		return 0, errors.New("the span must be positive")
	}
	if d > maxSpan {
		return 0, errors.New("the span is longer than ten years")
	}
	return d, nil
}

// parseInstant reads a date (start of that day in zone) or an RFC 3339
// instant; isDate says which.
func parseInstant(s string, zone *time.Location) (t time.Time, isDate bool, err error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation(time.DateOnly, s, zone); err == nil {
		return t, true, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false, nil
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04", s, zone); err == nil {
		return t, false, nil
	}
	return time.Time{}, false, errors.New(`want a date "2026-11-01" or a time "2026-11-01T09:30" / RFC 3339`)
}
