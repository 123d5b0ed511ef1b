package tui

import (
	"strings"
	"testing"
	"time"
)

// The chart's title states the span it shows; on a wide terminal it must
// not claim more than the history keeps (30 minutes of 5 s buckets), and
// the req/min sparkline says its scale.
func TestChartSpanIsWhatTheHistoryHolds(t *testing.T) {
	for _, c := range []struct {
		w, h int
		want string
	}{
		{100, 30, "last 15m 20s"},
		{160, 48, "last 25m 20s"},
		{240, 60, "last 30m 00s"},
		{400, 60, "last 30m 00s"},
	} {
		m, _ := scenario(c.w, c.h, true, 0)
		v := plain(m)
		if !strings.Contains(v, c.want) {
			t.Errorf("%d×%d: want %q in the chart title:\n%s", c.w, c.h, c.want, v)
		}
		// one measure per row, each named: the area is requests left on
		// the limit's axis, the bottom row requests sent per minute
		if !strings.Contains(v, "Requests left in the rate window (0–60)") || !strings.Contains(v, "bottom row: sent/min, peak 12") {
			t.Errorf("%d×%d: the chart does not name its two measures apart:\n%s", c.w, c.h, v)
		}
		if strings.Contains(v, "req/min (peak") {
			t.Errorf("%d×%d: the title still mixes the measures", c.w, c.h)
		}
	}
	m, _ := scenario(100, 30, true, 0)
	if got := m.usage.Hist.BucketSize() * time.Duration(m.usage.Hist.Cap()); got != 30*time.Minute {
		t.Fatalf("history keeps %v", got)
	}
}

// Below 100 columns the chart keeps a title: an unlabelled braille plot
// tells a new user nothing.
func TestCompactChartHasATitle(t *testing.T) {
	m, _ := scenario(80, 30, true, 0)
	if v := plain(m); !strings.Contains(v, "Requests left in the rate window") || !strings.Contains(v, "sent▕") {
		t.Fatalf("compact chart without title:\n%s", v)
	}
}
