package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/history"
	"github.com/abtop-dev/abtop/session"
)

// The dashboard's forecast is its own profile's and organization's, from
// the history every abtop process recorded: another profile's balance in
// the same file is not mixed in.
func TestDashboardForecastIsTheProfilesOwn(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	at := now.Add(-3 * time.Hour)
	st, err := history.New(history.Options{Path: filepath.Join(t.TempDir(), "h.db"), Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{Profile: "work", BaseURL: "https://api.example"}
	org := session.DefaultOrg(cfg)
	st.ObserveLimit(history.Series{Profile: "work", Org: org, Name: history.NameCredits}, 1000, 0, time.Time{})
	st.ObserveLimit(history.Series{Profile: "home", Org: "api.example/home", Name: history.NameCredits}, 5, 0, time.Time{})
	at = now.Add(-30 * time.Minute)
	st.Count(history.Dims{Profile: "work", Org: org, Model: "flux", Status: history.StatusCreated}, history.Tally{Created: 10, Writes: 10, Charged: 50})
	at = now
	st.ObserveLimit(history.Series{Profile: "work", Org: org, Name: history.NameCredits}, 950, 0, time.Time{})
	if err := st.Flush(); err != nil {
		t.Fatal(err)
	}

	f, ok, err := historyForecast{&session.Session{Config: cfg, History: st}}.Forecast(context.Background(), estimate.HourPace, now)
	if err != nil || !ok {
		t.Fatalf("forecast: ok %v, %v", ok, err)
	}
	if want := "at the last hour's pace (50 credits/hour) credits last ~19 hours"; f.Basis != want || f.Credits.Remaining != 950 {
		t.Fatalf("basis %q (remaining %v), want %q", f.Basis, f.Credits.Remaining, want)
	}
	_, ok, err = historyForecast{&session.Session{Config: config.Config{Profile: "new", BaseURL: "https://api.example"}, History: st}}.Forecast(context.Background(), estimate.HourPace, now)
	if err != nil || ok {
		t.Fatalf("a profile never recorded: ok %v, %v", ok, err)
	}
}
