package queue_test

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/apiclient/webhook"
	"github.com/abtop-dev/abtop/sandbox"
	"github.com/abtop-dev/abtop/sandbox/memnet"
)

// hookSink verifies deliveries and feeds them to a queue, as the receiver
// abtop serves does.
type hookSink struct {
	mu    sync.Mutex
	v     *webhook.Verifier
	dedup webhook.Dedup
	q     *queue.Queue
	t     *testing.T
	n     int
}

func (h *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	v, q := h.v, h.q
	h.mu.Unlock()
	d, err := v.Verify(r.Header, body)
	if err != nil {
		h.t.Errorf("delivery refused: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if !h.dedup.First(d.ID) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var j apiclient.Job
	if err := json.Unmarshal(body, &j); err != nil {
		h.t.Errorf("delivery body: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if _, err := q.Deliver(r.Context(), j); err != nil {
		h.t.Errorf("Deliver: %v", err)
	}
	h.mu.Lock()
	h.n++
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// With deliveries on, a batch completes on webhooks and a reconcile read
// every 30 s; the jobs whose delivery was dropped are found by the
// reconcile, not by a read per job.
func TestWebhookModeReconcilesDroppedDeliveries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := &hookSink{t: t}
		ln := memnet.Listen()
		srv := &http.Server{Handler: sink}
		go func() { _ = srv.Serve(ln) }()
		tr := &http.Transport{DialContext: ln.DialContext}
		defer func() { tr.CloseIdleConnections(); _ = srv.Close() }()
		e := newTrackEnv(t, trackOpts{
			sandbox: sandbox.Options{Window: 2 * time.Second, Seed: 9, JobTimeScale: 0.5,
				Faults: sandbox.Faults{sandbox.FaultHookDrop: 0.3}, WebhookClient: &http.Client{Transport: tr, Timeout: 10 * time.Second}},
			org:   roomyOrg(),
			track: queue.TrackOptions{WebhookURL: "http://127.0.0.1/hooks/abtop"},
		})
		defer e.close()
		defer e.sb.Close()
		secret, _, err := e.client.WebhookSecret(bg)
		if err != nil {
			t.Fatal(err)
		}
		v, err := webhook.NewVerifier(secret, now, 0)
		if err != nil {
			t.Fatal(err)
		}
		sink.mu.Lock()
		sink.v, sink.q = v, e.q
		sink.mu.Unlock()
		e.q.SetDeliveries(true)
		const n = 50
		if _, err := e.q.Enqueue(jobs(n)...); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := e.q.Finish(bg); err != nil {
			t.Fatal(err)
		}
		if c := e.q.Counts(); c[queue.StateSucceeded] != n {
			t.Fatalf("counts %v, want %d succeeded", c, n)
		}
		st, ts := e.sb.Stats(), e.q.TrackStats()
		t.Logf("%d jobs in %v: %d deliveries, dropped %d, list reads %d, get reads %d", n, time.Since(start), ts.Deliveries, st.Faults["hook_drop"], st.ListReads, st.GetReads)
		if st.Faults["hook_drop"] == 0 || ts.Deliveries == 0 || ts.Deliveries >= n {
			t.Fatalf("%d dropped, %d delivered: want some of each", st.Faults["hook_drop"], ts.Deliveries)
		}
		if st.ListReads > 5 || st.GetReads != 0 {
			t.Errorf("%d list reads, %d get reads; want ≤ 5 and 0 in webhook mode", st.ListReads, st.GetReads)
		}
	})
}
