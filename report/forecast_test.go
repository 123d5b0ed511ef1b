package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/history"
)

// A month of observation, a week of spending at 212 credits and 40 writes
// a day, the balance and quota seen last now: the forecast reads the
// history file and states its basis; a profile seen for a day has not
// enough history, and one with only rate limits gets no forecast.
func TestForecastsFromHistory(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	at := now.Add(-30 * 24 * time.Hour)
	st, err := history.New(history.Options{Path: filepath.Join(t.TempDir(), "h.db"), Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	credits := history.Series{Profile: "default", Org: "org_1", Name: history.NameCredits}
	quota := history.Series{Profile: "default", Org: "org_1", Name: history.NameQuota}
	st.ObserveLimit(credits, 5000, 0, time.Time{})
	st.ObserveLimit(quota, 1000, 1000, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	dims := history.Dims{Profile: "default", Org: "org_1", Model: "flux", Status: history.StatusCreated}
	for i := range 8 { // day 8 back is outside the week
		at = now.Add(-time.Duration(i)*24*time.Hour - time.Hour)
		st.Count(dims, history.Tally{Created: 40, Writes: 40, Charged: 212})
	}
	if err := st.Flush(); err != nil {
		t.Fatal(err)
	}
	at = now.Add(-36 * time.Hour)
	st.ObserveLimit(history.Series{Profile: "new", Org: "org_2", Name: history.NameCredits}, 50, 0, time.Time{})
	st.ObserveLimit(history.Series{Profile: "rates", Org: "org_3", Name: history.RateName("requests")}, 5, 60, time.Time{})
	if err := st.Flush(); err != nil { // ListSeries lists stored series
		t.Fatal(err)
	}
	at = now
	st.ObserveLimit(credits, 1900, 0, time.Time{})
	st.ObserveLimit(quota, 360, 1000, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)) // buffered: read too

	fs, err := LoadForecasts(st, estimate.WeekPace, now, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"default org_1 at the last 7 days' pace (212 credits/day, 40 writes/day) credits last ~9 days; monthly quota runs out on 12 Dec, before its reset on 31 Dec",
		"new org_2 not enough history: 1 day",
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Profile+" "+f.Org+" "+f.Basis)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("forecasts\n got %q\nwant %q", got, want)
	}
	// the dashboard's: one profile and org, or none when not observed
	if one, ok, err := LoadForecast(st, "new", "org_2", estimate.WeekPace, now, time.UTC); err != nil || !ok || one.Basis != fs[1].Basis {
		t.Errorf("LoadForecast(new, org_2) = %q, %v, %v", one.Basis, ok, err)
	}
	if _, ok, err := LoadForecast(st, "rates", "org_3", estimate.WeekPace, now, time.UTC); err != nil || ok {
		t.Errorf("LoadForecast of rate limits only: ok %v, %v", ok, err)
	}

	rep := Build(nil, Range{From: now.Add(-time.Hour), To: now}, ByDay, time.UTC)
	rep.Forecasts = fs
	var b bytes.Buffer
	if err := rep.WriteTable(&b, 100); err != nil {
		t.Fatal(err)
	}
	wantTail := "\nforecast default · org_1: at the last 7 days' pace (212 credits/day, 40 writes/day) credits last ~9 days; monthly quota runs out on 12 Dec, before its reset on 31 Dec\n" +
		"forecast new · org_2: not enough history: 1 day\n"
	if !strings.HasSuffix(b.String(), wantTail) {
		t.Errorf("table ends\n%s\nwant it to end\n%s", b.String(), wantTail)
	}

	b.Reset()
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Forecasts []struct {
			Profile       string  `json:"profile"`
			EnoughHistory bool    `json:"enough_history"`
			PaceDays      float64 `json:"pace_days"`
			CreditsPerDay float64 `json:"credits_per_day"`
			WritesPerDay  float64 `json:"writes_per_day"`
			Credits       *struct {
				Remaining float64    `json:"remaining"`
				RunsOut   *time.Time `json:"runs_out"`
			} `json:"credits"`
			Quota *struct {
				Resets      *time.Time `json:"resets"`
				RunsOut     *time.Time `json:"runs_out"`
				BeforeReset bool       `json:"before_reset"`
			} `json:"quota"`
			Basis string `json:"basis"`
		} `json:"forecasts"`
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Forecasts) != 2 {
		t.Fatalf("JSON forecasts = %+v", out.Forecasts)
	}
	d, n := out.Forecasts[0], out.Forecasts[1]
	if !d.EnoughHistory || d.PaceDays != 7 || d.CreditsPerDay != 212 || d.WritesPerDay != 40 || d.Basis != fs[0].Basis {
		t.Errorf("default = %+v", d)
	}
	if d.Credits == nil || d.Credits.Remaining != 1900 || d.Credits.RunsOut == nil || d.Credits.RunsOut.Sub(now).Round(time.Hour) != 215*time.Hour {
		t.Errorf("default credits = %+v", d.Credits)
	}
	if q := d.Quota; q == nil || q.RunsOut == nil || !q.RunsOut.Equal(now.Add(9*24*time.Hour)) || !q.BeforeReset || q.Resets == nil {
		t.Errorf("default quota = %+v", d.Quota)
	}
	if n.EnoughHistory || n.PaceDays != 0 || n.CreditsPerDay != 0 || n.Credits == nil || n.Credits.Remaining != 50 || n.Credits.RunsOut != nil || n.Quota != nil {
		t.Errorf("new = %+v", n)
	}
}
