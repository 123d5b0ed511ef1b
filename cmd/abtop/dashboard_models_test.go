package main

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/sandbox"
	"github.com/abtop-dev/abtop/session"
	"github.com/abtop-dev/abtop/tui"
)

// With the rate window spent, the dashboard's models listing waits for
// it, and the dashboard is told while it waits (what, until when), then
// gets the models.
func TestDashboardModelsWaitIsSaid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sb, err := sandbox.New(sandbox.Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: "team", Credits: 100,
			Limits: &sandbox.Limits{Requests: 2, Points: 100, Concurrency: 2, DailyWrites: 100, MonthlyWrites: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		hc, base, stop := sb.ServeInMemory()
		defer stop()
		cfg := config.Config{Profile: "default", BaseURL: base, Token: tok, AllowInsecureHTTP: true,
			Timeout: 5 * time.Second, Limiter: "memory"} // in-process: no file locking inside the bubble
		ctx := t.Context()
		sess, err := session.Open(ctx, session.Options{Config: cfg, HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		for range 2 { // spend the window: the budget learns 0 left from the headers
			if _, err := sess.Models(ctx); err != nil {
				t.Fatal(err)
			}
		}
		mon := &monitorAdapter{sess: sess, waits: make(chan tui.ModelsWait, 8)}
		start := time.Now()
		var ms int
		done := make(chan error, 1)
		go func() {
			got, err := mon.Models(context.Background())
			ms = len(got)
			done <- err
		}()
		select {
		case w := <-mon.waits:
			if w.Label != "rate window" || !strings.Contains(w.Text, "rate window") || !w.Until.After(start) {
				t.Fatalf("wait said as %+v (started %v)", w, start)
			}
		case err := <-done:
			t.Fatalf("the listing returned (%v) without saying it waited", err)
		}
		if err := <-done; err != nil || ms == 0 {
			t.Fatalf("after the wait: %d models, %v", ms, err)
		}
	})
}
