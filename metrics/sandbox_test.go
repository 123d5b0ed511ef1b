package metrics_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/metrics"
	"github.com/abtop-dev/abtop/sandbox"
	"github.com/abtop-dev/abtop/session"
)

// scrape GETs /metrics the way Prometheus (or curl) does and parses it.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value of the series of name whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	total := 0.0
next:
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		}
	}
	return total
}

// During a batch against the sandbox, what /metrics says equals the
// sandbox's own counters: requests by status code, 429s, and the quota
// and credits the last response stated. Compared at quiet points in the
// middle of the batch (synctest.Wait: nothing in flight) and at its end.
func TestMetricsEqualSandboxCountersDuringBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sb, err := sandbox.New(sandbox.Options{Seed: 3, Window: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: "team", Credits: 1000,
			Limits: &sandbox.Limits{Requests: 8, Points: 100, Concurrency: 50, DailyWrites: 1000, MonthlyWrites: 5000}})
		if err != nil {
			t.Fatal(err)
		}
		hc, base, stop := sb.ServeInMemory()
		defer stop()
		m := metrics.New(nil)
		cfg := config.Config{Profile: "acme", BaseURL: base, Token: tok, AllowInsecureHTTP: true, Timeout: 5 * time.Second,
			JournalPath: filepath.Join(t.TempDir(), "queue.db"), Limiter: "memory"} // a unit test must not share the machine's budget files
		sess, err := session.Open(t.Context(), session.Options{Config: cfg, Observers: []func(apiclient.Observation){m.Observer("acme")},
			HTTPClient: hc, Queue: session.QueueRequired, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		events, unsub := sess.Queue.Subscribe(1024)
		defer unsub()
		go func() {
			for ev := range events {
				m.QueueEvent("acme", ev)
			}
		}()
		var jobs []queue.NewJob
		for i := range 30 {
			jobs = append(jobs, queue.NewJob{Model: "flux-schnell", Credits: 1,
				Input: json.RawMessage(fmt.Sprintf(`{"prompt":"p %d","ref":"r-%d"}`, i, i))})
		}
		if _, err := sess.Queue.Enqueue(jobs...); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- sess.Queue.Run(ctx, true) }()

		compare := func(when string) {
			t.Helper()
			synctest.Wait()
			st := sb.Stats()
			fams := scrape(t, m)
			total := 0.0
			for code, n := range st.RequestsByStatus {
				got := value(fams, "abtop_requests_total", map[string]string{"code": code})
				total += got
				if got != float64(n) {
					t.Errorf("%s: abtop_requests_total{code=%q} = %g, sandbox %d", when, code, got, n)
				}
			}
			if all := value(fams, "abtop_requests_total", nil); all != float64(st.Requests) || total != all {
				t.Errorf("%s: abtop_requests_total = %g, sandbox requests %d", when, all, st.Requests)
			}
			if got := value(fams, "abtop_rate_limited_responses_total", nil); got != float64(st.TooManyRequests) {
				t.Errorf("%s: 429s %g, sandbox %d", when, got, st.TooManyRequests)
			}
			credits := 1000 - st.CreditsCharged + st.CreditsRefunded
			if got := value(fams, "abtop_credits_remaining", nil); st.Requests > 0 && got != credits {
				t.Errorf("%s: abtop_credits_remaining %g, sandbox %g", when, got, credits)
			}
			if got := value(fams, "abtop_quota_remaining", nil); st.JobsCreated > 0 && got != float64(5000-st.JobsCreated) {
				t.Errorf("%s: abtop_quota_remaining %g, sandbox %d writes", when, got, st.JobsCreated)
			}
			t.Logf("%s: %d requests, %d jobs created, %d 429s", when, st.Requests, st.JobsCreated, st.TooManyRequests)
		}
		time.Sleep(15 * time.Second)
		compare("after 15 s")
		if sb.Stats().JobsCreated == 0 || sb.Stats().JobsCreated == 30 {
			t.Fatalf("not in the middle of the batch: %d created", sb.Stats().JobsCreated)
		}
		time.Sleep(10 * time.Second)
		compare("after 25 s")
		if n := sb.Stats().JobsCreated; n == 30 {
			t.Fatalf("batch over at 25 s: %d created", n)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		cancel()
		compare("at the end")
	})
}
