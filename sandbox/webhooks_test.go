package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/webhook"
	"github.com/abtop-dev/abtop/sandbox"
	"github.com/abtop-dev/abtop/sandbox/memnet"
)

// received is one verified delivery.
type received struct {
	id     string
	job    apiclient.Job
	at     time.Time
	status int // what the receiver answered
}

// receiver is a webhook endpoint served in memory: it verifies every
// delivery and answers answer(job id, attempt number for that job).
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	v      *webhook.Verifier
	answer func(jobID string, n int) int
	got    []received
	bad    int
	counts map[string]int
}

func newReceiver(t *testing.T, answer func(string, int) int) (*receiver, *http.Client) {
	rc := &receiver{t: t, answer: answer, counts: map[string]int{}}
	ln := memnet.Listen()
	srv := &http.Server{Handler: rc}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	tr := &http.Transport{DialContext: ln.DialContext}
	t.Cleanup(func() { tr.CloseIdleConnections(); _ = srv.Close(); <-done })
	return rc, &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	d, err := rc.v.Verify(r.Header, body)
	if err != nil {
		rc.bad++
		rc.t.Errorf("delivery refused: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var j apiclient.Job
	if err := json.Unmarshal(body, &j); err != nil {
		rc.t.Errorf("delivery body: %v", err)
	}
	rc.counts[j.ID]++
	status := rc.answer(j.ID, rc.counts[j.ID])
	rc.got = append(rc.got, received{id: d.ID, job: j, at: clientNow(), status: status})
	w.WriteHeader(status)
}

func (rc *receiver) deliveries() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// hookEnv is a sandbox whose webhooks reach rc, and n jobs created with a webhook.
func hookEnv(t *testing.T, faults sandbox.Faults, answer func(string, int) int, n int) (*clientEnv, *receiver, []string) {
	t.Helper()
	rc, hc := newReceiver(t, answer)
	e := newClientEnv(t, sandbox.Options{Faults: faults, WebhookClient: hc, Seed: 3}, roomy)
	ctx := context.Background()
	secret, _, err := e.c.WebhookSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rc.v, err = webhook.NewVerifier(secret, clientNow, 0); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range n {
		r := flux("x")
		r.Webhook = "http://127.0.0.1/hooks/abtop"
		j, _, err := e.c.CreateJob(ctx, r, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	return e, rc, ids
}

func ok(string, int) int { return http.StatusNoContent }

// Each job's end is delivered once, signed, soon after it finished; a
// failed attempt is retried 5 s later with the same webhook-id.
func TestWebhookDelivery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var first string
		e, rc, ids := hookEnv(t, nil, func(id string, n int) int {
			if id == first && n == 1 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		}, 5)
		rc.mu.Lock() // answer runs under rc.mu
		first = ids[0]
		rc.mu.Unlock()
		time.Sleep(2 * time.Minute)
		got := rc.deliveries()
		if len(got) != 6 {
			t.Fatalf("%d deliveries, want 6 (5 jobs, one retried)", len(got))
		}
		byJob := map[string][]received{}
		for _, d := range got {
			byJob[d.job.ID] = append(byJob[d.job.ID], d)
		}
		for _, id := range ids {
			ds := byJob[id]
			j, _, _ := e.c.GetJob(context.Background(), id)
			if len(ds) == 0 || ds[0].job.Status != apiclient.StatusSucceeded || ds[0].at.Sub(*j.FinishedAt) > time.Second {
				t.Errorf("job %s (finished %v): deliveries %+v", id, j.FinishedAt, ds)
				continue
			}
			files, err := ds[0].job.OutputFiles()
			if err != nil || len(files) != 1 {
				t.Errorf("delivered job's files: %v %v", files, err)
			}
		}
		if r := byJob[first]; len(r) != 2 || r[0].id != r[1].id || r[1].at.Sub(r[0].at) != 5*time.Second {
			t.Errorf("retried job: %+v; want two attempts 5 s apart with one webhook-id", r)
		}
		s := e.sb.Stats()
		if s.WebhookAttempts != 6 || s.WebhooksSent != 5 || s.WebhooksFailed != 1 || s.WebhooksPending != 0 {
			t.Errorf("stats: attempts %d sent %d failed %d pending %d", s.WebhookAttempts, s.WebhooksSent, s.WebhooksFailed, s.WebhooksPending)
		}
	})
}

// A receiver that never answers 2xx is retried on the schedule for a day,
// then given up.
func TestWebhookGivenUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, rc, _ := hookEnv(t, nil, func(string, int) int { return http.StatusServiceUnavailable }, 1)
		time.Sleep(28 * time.Hour)
		got := rc.deliveries()
		var gaps []time.Duration
		for i := 1; i < len(got); i++ {
			gaps = append(gaps, got[i].at.Sub(got[i-1].at).Round(time.Second))
		}
		want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
		if len(gaps) != len(want) {
			t.Fatalf("gaps %v, want %v", gaps, want)
		}
		for i := range want {
			if gaps[i] != want[i] {
				t.Errorf("gap %d = %v, want %v", i, gaps[i], want[i])
			}
		}
		if s := e.sb.Stats(); s.WebhooksGivenUp != 1 || s.WebhooksFailed != 8 || s.WebhooksPending != 0 {
			t.Errorf("given up %d failed %d pending %d", s.WebhooksGivenUp, s.WebhooksFailed, s.WebhooksPending)
		}
	})
}

// The hook_* faults: duplicates share a webhook-id, drops never come,
// late ones come 30–120 s after the job ended.
func TestWebhookFaults(t *testing.T) {
	t.Run("dup", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, rc, ids := hookEnv(t, sandbox.Faults{sandbox.FaultHookDup: 1}, ok, 4)
			time.Sleep(time.Minute)
			got := rc.deliveries()
			var dd webhook.Dedup
			firsts := 0
			for _, d := range got {
				if dd.First(d.id) {
					firsts++
				}
			}
			if len(got) != 8 || firsts != len(ids) {
				t.Errorf("%d deliveries, %d distinct ids; want 8 and %d", len(got), firsts, len(ids))
			}
		})
	})
	t.Run("drop", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			e, rc, ids := hookEnv(t, sandbox.Faults{sandbox.FaultHookDrop: 1}, ok, 4)
			time.Sleep(time.Hour)
			if got := rc.deliveries(); len(got) != 0 {
				t.Errorf("%d deliveries, want none", len(got))
			}
			page, _, _ := e.c.ListJobsPage(context.Background(), apiclient.ListJobsParams{Status: apiclient.StatusSucceeded})
			if len(page.Data) != len(ids) {
				t.Errorf("%d succeeded jobs listed, want %d: the list still tells", len(page.Data), len(ids))
			}
		})
	})
	t.Run("late", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			e, rc, ids := hookEnv(t, sandbox.Faults{sandbox.FaultHookLate: 1}, ok, 4)
			time.Sleep(5 * time.Minute)
			got := rc.deliveries()
			if len(got) != len(ids) {
				t.Fatalf("%d deliveries, want %d", len(got), len(ids))
			}
			for _, d := range got {
				j, _, _ := e.c.GetJob(context.Background(), d.job.ID)
				if late := d.at.Sub(*j.FinishedAt); late < 30*time.Second || late > 121*time.Second {
					t.Errorf("job %s delivered %v after it ended, want 30–120 s", j.ID, late)
				}
			}
		})
	})
}

// A canceled job is news too; a webhook must be https, or http to loopback.
func TestWebhookCancelAndValidation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, rc, ids := hookEnv(t, nil, ok, 1)
		if _, _, err := e.c.CancelJob(context.Background(), ids[0], ""); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if got := rc.deliveries(); len(got) != 1 || got[0].job.Status != apiclient.StatusCanceled {
			t.Errorf("deliveries %+v, want the canceled job", got)
		}
		for hook, want := range map[string]int{
			"http://example.com/h": 422, "ftp://127.0.0.1/h": 422, "/relative": 422, "https://u:p@example.com/h": 422,
			"https://example.com/h": 201, "http://[::1]:8080/h": 201, "http://localhost/h": 201,
		} {
			body, _ := json.Marshal(map[string]any{"model": "flux-schnell", "input": map[string]string{"prompt": "x"}, "webhook": hook})
			r := e.do("POST", "/v1/jobs", string(body), nil)
			if r.status != want {
				t.Errorf("webhook %q: %d %s, want %d", hook, r.status, r.body, want)
			}
		}
		if r := e.do("POST", "/v1/jobs", `{"model":"flux-schnell","input":{"prompt":"x"},"webhook":7}`, nil); r.status != 422 {
			t.Errorf("numeric webhook: %d", r.status)
		}
	})
}
