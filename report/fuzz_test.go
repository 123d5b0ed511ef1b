package report

import (
	"testing"
	"time"
)

func FuzzParseRange(f *testing.F) {
	for _, s := range [][3]string{{"7d", "", ""}, {"", "2026-11-01", "2026-11-03"}, {"90m", "", ""}, {"", "2026-11-01T09:30", "2026-11-02T00:00:00Z"}} {
		f.Add(s[0], s[1], s[2])
	}
	now := time.Date(2026, 11, 9, 15, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, since, from, to string) {
		r, err := ParseRange(since, from, to, now, time.UTC)
		if err == nil && (!r.From.Before(r.To) || r.To.Sub(r.From) > maxSpan) {
			t.Fatalf("ParseRange(%q, %q, %q) = %v … %v", since, from, to, r.From, r.To)
		}
	})
}
