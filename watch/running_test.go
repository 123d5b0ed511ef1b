package watch

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/metrics"
	"github.com/abtop-dev/abtop/statusline"
)

// The jobs running under the concurrency limit (a slot each in the budget
// store, whoever holds them) reach the status line and the metrics.
func TestWatchReportsRunningJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newOrg(t, "acme", 5*time.Second, nil)
		dir := t.TempDir()
		m := metrics.New(time.Now)
		p, err := open(t.Context(), Options{StateDir: dir, Metrics: m, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Getenv: func(string) string { return "" },
			HTTPClient: func(config.Config) *http.Client { return o.client }}, o.cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer p.close()
		ctx := context.Background()
		now := p.sess.Now()
		if err := p.sess.Store.Observe(ctx, budget.Observation{Sent: now, Received: now, ConcurrencyLimit: 3}); err != nil {
			t.Fatal(err)
		}
		for _, job := range []string{"job_a", "job_b"} {
			if ok, err := p.sess.Store.AcquireSlot(ctx, job, now, time.Minute); !ok || err != nil {
				t.Fatalf("slot for %s: %v %v", job, ok, err)
			}
		}
		if err := p.run(ctx, true); err != nil {
			t.Fatal(err)
		}
		path, _ := statusline.Path(dir, "acme")
		st, err := statusline.Read(path)
		if err != nil || st.Running == nil || *st.Running != 2 {
			t.Errorf("status line state: running %v (%v), want 2", st.Running, err)
		}
		if got := runningGauge(t, m, "acme"); got != 2 {
			t.Errorf("metrics: abtop_jobs_running{profile=\"acme\"} = %v, want 2", got)
		}
	})
}

func runningGauge(t *testing.T, m *metrics.Metrics, profile string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "abtop_jobs_running" {
			continue
		}
		for _, mt := range f.GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "profile" && l.GetValue() == profile {
					return mt.GetGauge().GetValue()
				}
			}
		}
	}
	return -1
}
