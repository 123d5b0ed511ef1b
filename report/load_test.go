package report

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/history"
)

// What the recording hooks write is what the report sums.
func TestLoadFromHistory(t *testing.T) {
	now := day0.Add(10 * time.Hour)
	clock := func() time.Time { return now }
	st, err := history.New(history.Options{Path: filepath.Join(t.TempDir(), "h.db"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		st.JobCreated("default", "org_1", "flux-schnell", 1, time.Second)
		st.JobFinished("default", "org_1", "flux-schnell", []string{"succeeded", "failed"}[i%2], float64(i%2))
		now = now.Add(time.Minute)
	}
	if err := st.Flush(); err != nil {
		t.Fatal(err)
	}
	st.JobCreated("staging", "org_2", "kling-2.6", 10, 0) // still buffered: counted too
	rep, err := Load(st, Range{day0, day0.AddDate(0, 0, 1)}, ByProfile, paris)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total.Created != 6 || rep.Total.Credits() != 13 || rep.Total.Finished != 5 || len(rep.Lines) != 2 || rep.Lines[0].Key != "staging" {
		t.Fatalf("report = %+v", rep)
	}
}
