package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/history"
	"github.com/charmbracelet/x/exp/golden"
)

var (
	paris = time.FixedZone("CET", 3600)
	day0  = time.Date(2026, 11, 2, 0, 0, 0, 0, paris)
	week  = Range{From: day0, To: day0.AddDate(0, 0, 3)}
)

func row(at time.Time, profile, model, status string, t history.Tally) history.Row {
	return history.Row{At: at, Dims: history.Dims{Profile: profile, Org: "org_1", Model: model, Status: status}, Tally: t}
}

func created(n int64, credits float64, waited time.Duration) history.Tally {
	return history.Tally{Created: n, Writes: n, Charged: credits, Waited: waited}
}

// sample is three batches across two profiles plus a 429 and a refund.
func sample() []history.Row {
	return []history.Row{
		row(day0.Add(-time.Minute), "default", "flux-schnell", "created", created(99, 99, 0)), // before the range
		row(day0.Add(9*time.Hour), "default", "flux-schnell", "created", created(10, 10, 40*time.Second)),
		row(day0.Add(9*time.Hour+time.Minute), "default", "flux-schnell", "succeeded", history.Tally{Finished: 9}),
		row(day0.Add(9*time.Hour+time.Minute), "default", "flux-schnell", "failed", history.Tally{Finished: 1, Refunded: 1}),
		row(day0.Add(9*time.Hour+2*time.Minute), "default", "", "", history.Tally{Throttled: 2, RetryWait: 30 * time.Second}),
		// 23:30 UTC on day 1 is day 2 in CET.
		row(day0.Add(48*time.Hour+30*time.Minute).UTC(), "staging", "kling-2.6", "created", created(4, 40, 3*time.Minute)),
		row(day0.Add(49*time.Hour), "staging", "kling-2.6", "succeeded", history.Tally{Finished: 4}),
		row(day0.Add(50*time.Hour), "staging", "eleven-v3\x1b[31m", "created", created(2, 4, 0)),
		row(week.To, "staging", "kling-2.6", "created", created(50, 500, 0)), // at To: excluded
	}
}

func TestBuildSumsAndGroups(t *testing.T) {
	tests := []struct {
		by   By
		keys []string
		jobs []int64
	}{
		{ByDay, []string{"2026-11-02", "2026-11-03", "2026-11-04"}, []int64{10, 0, 6}},
		{ByModel, []string{"kling-2.6", "flux-schnell", "eleven-v3\x1b[31m", ""}, []int64{4, 10, 2, 0}},
		{ByProfile, []string{"staging", "default"}, []int64{6, 10}},
		{ByStatus, []string{"created", "succeeded", "failed", ""}, []int64{16, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(string(tt.by), func(t *testing.T) {
			rep := Build(sample(), week, tt.by, paris)
			if len(rep.Lines) != len(tt.keys) {
				t.Fatalf("lines = %+v, want keys %q", rep.Lines, tt.keys)
			}
			for i, l := range rep.Lines {
				if l.Key != tt.keys[i] || l.Created != tt.jobs[i] {
					t.Errorf("line %d = %q %d jobs, want %q %d", i, l.Key, l.Created, tt.keys[i], tt.jobs[i])
				}
			}
			want := history.Tally{Created: 16, Finished: 14, Charged: 54, Refunded: 1, Writes: 16, Throttled: 2,
				RetryWait: 30 * time.Second, Waited: 220 * time.Second}
			if rep.Total != want {
				t.Errorf("total = %+v, want %+v", rep.Total, want)
			}
		})
	}
}

func TestRenderings(t *testing.T) {
	for _, by := range []By{ByDay, ByModel, ByStatus} {
		rep := Build(sample(), week, by, paris)
		t.Run("table-"+string(by), func(t *testing.T) {
			var b bytes.Buffer
			if err := rep.WriteTable(&b, 80); err != nil {
				t.Fatal(err)
			}
			if bytes.ContainsAny(b.Bytes(), "\x1b") {
				t.Errorf("table carries an escape sequence:\n%s", b.String())
			}
			golden.RequireEqual(t, b.Bytes())
		})
		t.Run("csv-"+string(by), func(t *testing.T) {
			var b bytes.Buffer
			if err := rep.WriteCSV(&b); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(b.Bytes())).ReadAll()
			if err != nil || len(recs) != len(rep.Lines)+1 || len(recs[0]) != len(Columns)+1 {
				t.Fatalf("csv: %d records, %v", len(recs), err)
			}
			golden.RequireEqual(t, b.Bytes())
		})
		t.Run("json-"+string(by), func(t *testing.T) {
			var b bytes.Buffer
			if err := rep.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			var v struct {
				Rows  []map[string]any `json:"rows"`
				Total map[string]any   `json:"total"`
			}
			if err := json.Unmarshal(b.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			for _, c := range Columns {
				if _, ok := v.Total[c]; !ok {
					t.Errorf("JSON total lacks %q", c)
				}
			}
			if v.Total["credits"] != 53.0 || v.Total["jobs"] != 16.0 {
				t.Errorf("JSON total = %v, want 53 credits, 16 jobs", v.Total)
			}
			golden.RequireEqual(t, b.Bytes())
		})
	}
}

func TestEmptyReport(t *testing.T) {
	var b bytes.Buffer
	rep := Build(nil, week, ByModel, paris)
	if err := rep.WriteTable(&b, 80); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "2026-11-02 00:00 → 2026-11-05 00:00 (CET)\nno history in this range\n" {
		t.Errorf("empty table = %q", got)
	}
	b.Reset()
	if err := rep.WriteJSON(&b); err != nil || !bytes.Contains(b.Bytes(), []byte(`"rows": []`)) {
		t.Errorf("empty JSON = %s, %v; want an empty rows list", b.String(), err)
	}
}

func TestBar(t *testing.T) {
	for _, tt := range []struct {
		v, peak float64
		w       int
		want    string
	}{
		{10, 10, 4, "████"},
		{5, 10, 4, "██"},
		{1, 10, 4, "▍"},
		{0.01, 10, 4, "▏"},
		{0, 10, 4, ""},
		{3, 0, 4, ""},
	} {
		if got := bar(tt.v, tt.peak, tt.w); got != tt.want {
			t.Errorf("bar(%v, %v, %d) = %q, want %q", tt.v, tt.peak, tt.w, got, tt.want)
		}
	}
}
