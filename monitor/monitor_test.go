package monitor

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/sandbox"
	"github.com/abtop-dev/abtop/session"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func snap(remaining string) usage.Snapshot {
	h := http.Header{}
	h.Set("Date", t0.Format(http.TimeFormat))
	h.Set("X-RateLimit-Limit", "100")
	h.Set("X-RateLimit-Remaining", remaining)
	return usage.Parse(h, t0)
}

func TestNext(t *testing.T) {
	for _, tc := range []struct {
		name    string
		res     Result
		embargo time.Time
		want    time.Duration
	}{
		{"plenty", Result{Snapshot: snap("90")}, time.Time{}, 5 * time.Second},
		{"short", Result{Snapshot: snap("20")}, time.Time{}, 10 * time.Second},
		{"very short", Result{Snapshot: snap("5")}, time.Time{}, 20 * time.Second},
		{"nothing known", Result{}, time.Time{}, 5 * time.Second},
		{"own embargo beyond", Result{Snapshot: snap("90")}, t0.Add(30 * time.Second), 30*time.Second + 50*time.Millisecond},
		{"shared embargo beyond", Result{Snapshot: snap("90"), Embargo: t0.Add(time.Minute)}, t0.Add(time.Second), time.Minute + 50*time.Millisecond},
		{"embargo shorter than the interval", Result{Snapshot: snap("90")}, t0.Add(time.Second), 5 * time.Second},
	} {
		if got := Next(5*time.Second, tc.res, tc.embargo, t0); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// A stale status line's refresh spends one request when the budget has
// it, and none when the budget would make it wait past its bound.
func TestRefreshGivesUpWhenTheBudgetIsShort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sb, err := sandbox.New(sandbox.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := sb.Bootstrap(sandbox.OrgOptions{Limits: &sandbox.Limits{Requests: 3, Points: 10, Concurrency: 1, DailyWrites: 10, MonthlyWrites: 10}})
		if err != nil {
			t.Fatal(err)
		}
		hc, base, stop := sb.ServeInMemory()
		defer stop()
		cfg := config.Config{Profile: "acme", BaseURL: base, Token: tok, AllowInsecureHTTP: true, Timeout: 5 * time.Second, Limiter: "memory"} // in-process: a unit test must not share the machine's budget files
		s, err := session.Open(t.Context(), session.Options{Config: cfg, HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := Refresh(context.Background(), s, 2*time.Second); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			_ = Refresh(context.Background(), s, 2*time.Second)
		}
		if n := sb.Stats().Requests; n > 3 || sb.Stats().TooManyRequests != 0 {
			t.Fatalf("%d requests, %d 429s: the refreshes did not stop at the budget", n, sb.Stats().TooManyRequests)
		}
		if err := Refresh(context.Background(), s, 2*time.Second); err == nil {
			t.Fatal("a refresh with the window spent succeeded")
		}
	})
}
