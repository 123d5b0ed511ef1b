package tui

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/history"
)

// fakeHistory answers every span with the same recorded batch.
type fakeHistory struct{ spans []time.Duration }

func (f *fakeHistory) Chart(ctx context.Context, span time.Duration, n int, now time.Time) (history.Chart, error) {
	f.spans = append(f.spans, span)
	c := history.Chart{Remaining: make([]float64, n), Jobs: make([]float64, n), Throttled: make([]bool, n), Limit: 60}
	for i := range c.Remaining {
		c.Remaining[i] = math.NaN()
		if i > n-20 {
			c.Remaining[i], c.Jobs[i] = 10, 3
		}
	}
	c.Throttled[n-5] = true
	return c, nil
}

// z zooms the chart out through the history's spans and back to live.
func TestZoomReadsTheHistory(t *testing.T) {
	m, _ := scenario(120, 40, true, 5)
	h := &fakeHistory{}
	m.opts.History = h
	for _, want := range []string{"last 15m", "last 1h", "last 1d", "last 7d"} {
		_, cmd := m.Update(keyMsg("z"))
		for _, msg := range run(cmd) {
			m.Update(msg)
		}
		v := plain(m)
		if !strings.Contains(v, "History · "+want) || !strings.Contains(v, "✕ 429") {
			t.Fatalf("after z: no %q chart:\n%s", want, v)
		}
	}
	m.Update(keyMsg("z"))
	if v := plain(m); strings.Contains(v, "History ·") || !strings.Contains(v, "Requests left in the rate window") {
		t.Fatalf("the fifth z does not return to the live chart:\n%s", v)
	}
	if len(h.spans) != 4 || h.spans[1] != time.Hour {
		t.Fatalf("spans read %v", h.spans)
	}
	m.Update(keyMsg("?"))
	if v := plain(m); !strings.Contains(v, "zoom chart") {
		t.Fatalf("help does not list z:\n%s", v)
	}
}
