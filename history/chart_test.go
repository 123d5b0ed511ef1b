package history

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

func TestChartOfBucketsWhatWasRecorded(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	now := t0
	st, err := New(Options{Path: filepath.Join(t.TempDir(), "h.db"), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	lim, rem := int64(60), int64(50)
	st.ObserveSnapshot("acme", "org", usage.Snapshot{Received: now, Limits: []usage.Limit{{Unit: usage.UnitRequests, Limit: &lim, Remaining: &rem}}})
	st.JobCreated("acme", "org", "flux-schnell", 1, 0)
	st.JobCreated("other", "org", "flux-schnell", 1, 0) // another profile: not drawn
	now = t0.Add(30 * time.Minute)
	rem = 12
	st.ObserveSnapshot("acme", "org", usage.Snapshot{Received: now, Limits: []usage.Limit{{Unit: usage.UnitRequests, Limit: &lim, Remaining: &rem}}})
	st.Throttled("acme", "org", "", time.Second)
	st.JobCreated("acme", "org", "flux-schnell", 1, 0)
	st.JobCreated("acme", "org", "flux-schnell", 1, 0)
	if err := st.Flush(); err != nil {
		t.Fatal(err)
	}
	c, err := st.ChartOf("acme", "org", t0.Add(-30*time.Minute), t0.Add(30*time.Minute), 4) // 15-minute buckets
	if err != nil {
		t.Fatal(err)
	}
	if c.Limit != 60 || c.Remaining[2] != 50 || !math.IsNaN(c.Remaining[1]) || !math.IsNaN(c.Remaining[3]) {
		t.Fatalf("remaining %v limit %v, want 50 in bucket 2 only (the 12 is at the range's end)", c.Remaining, c.Limit)
	}
	if c.Jobs[2] != 1 || c.Jobs[3] != 0 || c.Throttled[2] {
		t.Fatalf("jobs %v throttled %v", c.Jobs, c.Throttled)
	}
	c, err = st.ChartOf("acme", "org", t0, t0.Add(time.Hour), 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Remaining[0] != 12 || c.Jobs[0] != 3 || !c.Throttled[0] {
		t.Fatalf("hour from t0: remaining %v jobs %v throttled %v; want 12 (lowest), 3 jobs, a 429", c.Remaining, c.Jobs, c.Throttled)
	}
}
