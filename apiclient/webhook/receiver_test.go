package webhook_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/webhook"
	"github.com/abtop-dev/abtop/sandbox"
	"github.com/abtop-dev/abtop/sandbox/memnet"
)

var (
	key    = []byte("0123456789abcdef0123456789abcdef")
	secret = "whsec_" + base64.StdEncoding.EncodeToString(key)
	clock  = time.Unix(1_800_000_000, 0)
	body   = []byte(`{"id":"job_1","model":"flux-schnell","status":"succeeded","output":{"images":[]}}`)
)

type sink struct {
	mu   sync.Mutex
	jobs []apiclient.Job
}

func (s *sink) deliver(_ context.Context, j apiclient.Job) error {
	s.mu.Lock()
	s.jobs = append(s.jobs, j)
	s.mu.Unlock()
	return nil
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.jobs)
}

func newReceiver(t *testing.T, deliver webhook.DeliverFunc) (*webhook.Receiver, *bytes.Buffer) {
	t.Helper()
	v, err := webhook.NewVerifier(secret, func() time.Time { return clock }, 0)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	rc, err := webhook.NewReceiver(v, nil, deliver, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return rc, &logs
}

func post(rc http.Handler, id string, ts time.Time, sig string, b []byte) int {
	r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(b))
	r.Header.Set(webhook.HeaderID, id)
	r.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	r.Header.Set(webhook.HeaderSignature, sig)
	w := httptest.NewRecorder()
	rc.ServeHTTP(w, r)
	return w.Code
}

// A genuine delivery is handed over once; a forged signature, a replayed
// webhook-id and a stale timestamp are refused and logged with the reason,
// and never reach Deliver.
func TestReceiverRefusesForgedReplayedStale(t *testing.T) {
	var s sink
	rc, logs := newReceiver(t, s.deliver)
	sign := func(id string, ts time.Time, b []byte) string { return webhook.Sign(key, id, ts.Unix(), b) }

	if c := post(rc, "msg_1", clock, sign("msg_1", clock, body), body); c != http.StatusNoContent || s.count() != 1 {
		t.Fatalf("genuine: %d, %d delivered", c, s.count())
	}
	if s.jobs[0].ID != "job_1" || s.jobs[0].Status != "succeeded" {
		t.Errorf("delivered %+v", s.jobs[0])
	}
	forged := bytes.Replace(body, []byte("succeeded"), []byte("failed\u0000"), 1)
	cases := []struct {
		name   string
		id     string
		ts     time.Time
		sig    string
		body   []byte
		status int
		log    string
	}{
		{"forged body", "msg_2", clock, sign("msg_2", clock, body), forged, 401, "bad signature"},
		{"other key", "msg_3", clock, webhook.Sign([]byte("nope"), "msg_3", clock.Unix(), body), body, 401, "bad signature"},
		{"garbage signature", "msg_4", clock, "v1,!!!", body, 401, "bad signature"},
		{"replayed id", "msg_1", clock, sign("msg_1", clock, body), body, 200, "webhook replay ignored"},
		{"stale", "msg_5", clock.Add(-6 * time.Minute), sign("msg_5", clock.Add(-6*time.Minute), body), body, 400, "bad or stale timestamp"},
		{"future", "msg_6", clock.Add(6 * time.Minute), sign("msg_6", clock.Add(6*time.Minute), body), body, 400, "bad or stale timestamp"},
		{"no signature", "msg_7", clock, "", body, 400, "missing headers"},
		{"not a job", "msg_8", clock, sign("msg_8", clock, []byte(`[1]`)), []byte(`[1]`), 400, "not a job object"},
	}
	for _, c := range cases {
		logs.Reset()
		if got := post(rc, c.id, c.ts, c.sig, c.body); got != c.status {
			t.Errorf("%s: status %d, want %d", c.name, got, c.status)
		}
		if !strings.Contains(logs.String(), c.log) {
			t.Errorf("%s: log %q lacks %q", c.name, logs.String(), c.log)
		}
		if strings.ContainsRune(logs.String(), 0) {
			t.Errorf("%s: a raw NUL reached the log", c.name)
		}
	}
	if s.count() != 1 {
		t.Errorf("%d deliveries handed over, want 1", s.count())
	}
	st := rc.Stats()
	if st.Accepted != 1 || st.Duplicates != 1 || st.Refused["bad signature"] != 3 || st.Refused["bad or stale timestamp"] != 2 {
		t.Errorf("stats %+v", st)
	}
	// Just inside the window either way is accepted.
	for i, ts := range []time.Time{clock.Add(-5 * time.Minute), clock.Add(5 * time.Minute)} {
		id := "edge" + strconv.Itoa(i)
		if c := post(rc, id, ts, sign(id, ts, body), body); c != http.StatusNoContent {
			t.Errorf("timestamp %v from now: %d", ts.Sub(clock), c)
		}
	}
}

// Oversized bodies, other methods and a panicking or failing Deliver are
// answered, logged and survived; a delivery Deliver failed on is acted on
// when the sender retries it.
func TestReceiverSurvives(t *testing.T) {
	calls := 0
	rc, logs := newReceiver(t, func(_ context.Context, j apiclient.Job) error {
		calls++
		switch {
		case j.ID == "job_boom":
			panic("boom")
		case j.ID == "job_disk" && calls == 3:
			return errors.New("journal: disk full")
		}
		return nil
	})
	rc.MaxBody = 64
	big := bytes.Repeat([]byte("x"), 65)
	if c := post(rc, "m1", clock, webhook.Sign(key, "m1", clock.Unix(), big), big); c != http.StatusRequestEntityTooLarge {
		t.Errorf("big body: %d", c)
	}
	w := httptest.NewRecorder()
	rc.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/hook", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", w.Code)
	}
	boom := []byte(`{"id":"job_boom","status":"failed"}`)
	if c := post(rc, "m2", clock, webhook.Sign(key, "m2", clock.Unix(), boom), boom); c != http.StatusInternalServerError {
		t.Errorf("panicking deliver: %d", c)
	}
	ok := []byte(`{"id":"job_ok","status":"failed"}`)
	if c := post(rc, "m3", clock, webhook.Sign(key, "m3", clock.Unix(), ok), ok); c != http.StatusNoContent || calls != 2 {
		t.Errorf("after a panic: %d, %d calls", c, calls)
	}
	disk := []byte(`{"id":"job_disk","status":"succeeded"}`)
	for i, want := range []int{http.StatusInternalServerError, http.StatusNoContent, http.StatusOK} {
		if c := post(rc, "m4", clock, webhook.Sign(key, "m4", clock.Unix(), disk), disk); c != want {
			t.Errorf("attempt %d of a delivery Deliver failed on: %d, want %d", i+1, c, want)
		}
	}
	if calls != 4 {
		t.Errorf("%d calls, want 4 (the retry after the failure acted on, the third attempt a replay)", calls)
	}
	for _, want := range []string{"body too large", "not a POST", "deliver failed"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// End to end: the sandbox delivers every job's end to a Receiver served by
// Serve, duplicates included (hook_dup); each job reaches Deliver once.
func TestReceiverWithSandbox(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		epoch := (26*365 + 7) * 24 * time.Hour
		now := func() time.Time { return time.Now().Add(epoch) }
		ln := memnet.Listen()
		tr := &http.Transport{DialContext: ln.DialContext}
		defer tr.CloseIdleConnections()
		sb, err := sandbox.New(sandbox.Options{Now: now, Seed: 5, JobTimeScale: 0.1,
			Faults: sandbox.Faults{sandbox.FaultHookDup: 0.5}, WebhookClient: &http.Client{Transport: tr, Timeout: 10 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		defer sb.Close()
		_, tok, _ := sb.Bootstrap(sandbox.OrgOptions{Plan: sandbox.PlanEnterprise, Credits: 1000})
		hc, base, stop := sb.ServeInMemory()
		defer stop()
		api, _ := apiclient.New(apiclient.Options{BaseURL: base, Token: tok, HTTPClient: hc, Now: now})
		ctx := context.Background()
		sec, _, err := api.WebhookSecret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := webhook.NewVerifier(sec, now, 0)
		var s sink
		rc, _ := webhook.NewReceiver(v, nil, s.deliver, nil)
		srv := webhook.Serve(ln, rc, nil)
		defer func() {
			if err := srv.Close(ctx); err != nil {
				t.Error(err)
			}
		}()

		const n = 10
		for i := range n {
			_, _, err := api.CreateJob(ctx, apiclient.JobRequest{Model: "flux-schnell", Input: []byte(`{"prompt":"p"}`),
				Webhook: "http://127.0.0.1/hooks/abtop"}, "k"+strconv.Itoa(i))
			if err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2 * time.Minute)
		st := rc.Stats()
		seen := map[string]int{}
		for _, j := range s.jobs {
			seen[j.ID]++
		}
		if s.count() != n || len(seen) != n || st.Duplicates == 0 || len(st.Refused) != 0 {
			t.Errorf("%d deliveries of %d jobs, stats %+v", s.count(), len(seen), st)
		}
		if sst := sb.Stats(); sst.Faults["hook_dup"] != int64(st.Duplicates) {
			t.Errorf("sandbox sent %d duplicates, receiver ignored %d", sst.Faults["hook_dup"], st.Duplicates)
		}
	})
}
