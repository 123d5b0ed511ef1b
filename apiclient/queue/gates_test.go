package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/sandbox/memnet"
)

// scripted is a fake API whose answers a test writes, served over memnet
// so it runs inside a synctest bubble. It records when each request
// arrived and with which Idempotency-Key.
type scripted struct {
	t       *testing.T
	mu      sync.Mutex
	reqs    []arrival
	respond func(n int, r *http.Request, h http.Header) (int, string)
	client  *apiclient.Client
	stop    func()
}

type arrival struct {
	at     time.Time
	method string
	path   string
	key    string
}

func newScripted(t *testing.T, respond func(n int, r *http.Request, h http.Header) (int, string)) *scripted {
	s := &scripted{t: t, respond: respond}
	ln := memnet.Listen()
	srv := &http.Server{Handler: s}
	go func() { _ = srv.Serve(ln) }()
	tr := &http.Transport{DialContext: ln.DialContext}
	c, err := apiclient.New(apiclient.Options{BaseURL: "http://api.test", Token: "ab_" + fmt.Sprintf("%048d", 1),
		HTTPClient: &http.Client{Transport: tr}, AllowInsecureHTTP: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s.client = c
	s.stop = func() { tr.CloseIdleConnections(); _ = srv.Close() }
	return s
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, arrival{at: time.Now(), method: r.Method, path: r.URL.Path, key: r.Header.Get("Idempotency-Key")})
	s.mu.Unlock()
	h := w.Header()
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	status, body := s.respond(n, r, h)
	if status == 0 { // drop the connection
		panic(http.ErrAbortHandler)
	}
	if status >= 400 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/problem+json")
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func (s *scripted) arrivals() []arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]arrival(nil), s.reqs...)
}

// rate sets abstrakt's seed-000 headers: a window that resets at reset.
func rate(h http.Header, limit, remaining int, reset time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", reset.UTC().Format(http.TimeFormat))
}

func problemBody(status int, code string) string {
	return fmt.Sprintf(`{"type":"about:blank","title":"%s","status":%d,"code":"%s","detail":"%s"}`, code, status, code, code)
}

func jobBody(id string) string {
	return fmt.Sprintf(`{"id":"%s","model":"flux-schnell","status":"queued","credits":1,"created_at":"2000-01-01T00:00:00Z"}`, id)
}

func sched() *queue.Scheduler {
	return queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("pro")), BaseBackoff: time.Second, MaxBackoff: 8 * time.Second})
}

func create(s *scripted, sc *queue.Scheduler, key string) error {
	return sc.Do(context.Background(), queue.Call{Kind: queue.KindCreate, Write: true, Retry: true, Credits: 1}, func(ctx context.Context) (apiclient.Meta, error) {
		_, meta, err := s.client.CreateJob(ctx, apiclient.JobRequest{Model: "flux-schnell", Input: json.RawMessage(`{"prompt":"x"}`)}, key)
		return meta, err
	})
}

// Gate: rate window. With nothing remaining, the next request arrives only
// after the stated reset (API.md: X-RateLimit-Reset, HTTP-date).
func TestGateRateWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		reset := start.Truncate(time.Second).Add(10 * time.Second)
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			if time.Now().Before(reset) {
				rate(h, 3, 2-min(n, 2), reset)
			} else {
				rate(h, 3, 2, reset.Add(10*time.Second))
			}
			return 201, jobBody(fmt.Sprint("job_", n))
		})
		defer s.stop()
		sc := sched()
		for i := range 5 {
			if err := create(s, sc, fmt.Sprint("k", i)); err != nil {
				t.Fatal(err)
			}
		}
		a := s.arrivals()
		if len(a) != 5 {
			t.Fatalf("%d requests, want 5", len(a))
		}
		for i := 3; i < 5; i++ {
			if a[i].at.Before(reset) {
				t.Errorf("request %d arrived %v before the reset", i, reset.Sub(a[i].at))
			}
		}
	})
}

// Gate: Retry-After. A 429 is retried with the same key, never before the
// wait the server asked for (RFC 9110 §10.2.3 delta-seconds).
func TestGateRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var told time.Time
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			rate(h, 60, 10, time.Now().Add(30*time.Second))
			if n == 0 {
				told = time.Now()
				h.Set("Retry-After", "7")
				return 429, problemBody(429, "rate_limit_exceeded")
			}
			return 201, jobBody("job_1")
		})
		defer s.stop()
		sc := sched()
		if err := create(s, sc, "key-1"); err != nil {
			t.Fatal(err)
		}
		a := s.arrivals()
		if len(a) != 2 || a[0].key != "key-1" || a[1].key != "key-1" {
			t.Fatalf("arrivals %+v, want two with key-1", a)
		}
		if d := a[1].at.Sub(told); d < 7*time.Second {
			t.Errorf("retried %v after a Retry-After of 7s", d)
		}
		if st := sc.Stats(); st.HTTP429 != 1 || st.Retries != 1 {
			t.Errorf("stats %+v, want one 429 and one retry", st)
		}
	})
}

// Gate: monthly quota. quota_exceeded stops writes until X-Quota-Reset;
// reads still go.
func TestGateQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		quotaReset := time.Now().Truncate(time.Second).Add(time.Hour)
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			rate(h, 60, 50, time.Now().Add(30*time.Second))
			h.Set("X-Quota-Limit", "100")
			h.Set("X-Quota-Reset", quotaReset.UTC().Format(http.TimeFormat))
			if r.Method == http.MethodGet {
				h.Set("X-Quota-Remaining", "0")
				return 200, `{"credits":10,"plan":"team"}`
			}
			if time.Now().Before(quotaReset) {
				h.Set("X-Quota-Remaining", "0")
				return 429, problemBody(429, "quota_exceeded")
			}
			h.Set("X-Quota-Remaining", "99")
			return 201, jobBody("job_1")
		})
		defer s.stop()
		sc := sched()
		done := make(chan error, 1)
		go func() { done <- create(s, sc, "key-q") }()
		time.Sleep(time.Minute)
		synctest.Wait()
		if err := sc.Do(context.Background(), queue.Call{Kind: queue.KindRead}, func(ctx context.Context) (apiclient.Meta, error) {
			_, m, err := s.client.Balance(ctx)
			return m, err
		}); err != nil {
			t.Fatalf("read during the quota wait: %v", err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		a := s.arrivals()
		last := a[len(a)-1]
		if last.method != http.MethodPost || last.at.Before(quotaReset) || last.key != "key-q" {
			t.Errorf("last request %+v, want the POST with key-q after %v", last, quotaReset)
		}
		if len(a) != 3 {
			t.Errorf("%d requests, want 3 (429, the read, the retry)", len(a))
		}
	})
}

// Gate: credits. A 402 pauses: Do returns a BlockedError and never retries
// in a loop.
func TestGateCredits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			rate(h, 60, 50, time.Now().Add(30*time.Second))
			h.Set("X-Credits-Remaining", "0.5")
			return 402, problemBody(402, "insufficient_credits")
		})
		defer s.stop()
		sc := sched()
		err := create(s, sc, "key-c")
		var be *queue.BlockedError
		if !errors.As(err, &be) || be.Reason != budget.ReasonCredits {
			t.Fatalf("err %v, want a credits BlockedError", err)
		}
		err = create(s, sc, "key-d") // the budget now knows: not even sent
		if !errors.As(err, &be) {
			t.Fatalf("second job: %v, want blocked", err)
		}
		if n := len(s.arrivals()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

// Gate: concurrency (seed 002). A CONCURRENT_LIMIT_EXCEEDED 429 teaches the
// limit and is retried later with the same key.
func TestGateConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			h.Set("X-RateLimit-Limit", "60")
			h.Set("X-RateLimit-Remaining", "50")
			h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(30*time.Second).Unix(), 10))
			if n == 0 {
				h.Set("Content-Type", "application/json")
				return 429, `{"error":{"type":"rate_limit_error","message":"too many concurrent predictions","code":"CONCURRENT_LIMIT_EXCEEDED","details":{"limit":5,"active":5}}}`
			}
			return 201, jobBody("job_1")
		})
		defer s.stop()
		sc := sched()
		if err := create(s, sc, "key-p"); err != nil {
			t.Fatal(err)
		}
		a := s.arrivals()
		if len(a) != 2 || a[1].key != "key-p" {
			t.Fatalf("arrivals %+v", a)
		}
		st, _ := sc.Store().Snapshot(context.Background())
		if st.ConcurrencyLimit != 5 {
			t.Errorf("concurrency limit %d, want 5 from details.limit", st.ConcurrencyLimit)
		}
	})
}

// Gate: points (seed 003). Each POST costs 10 points of 30: three per
// window, the fourth after the reset, without a 429.
func TestGatePoints(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		used := 0
		win := time.Now().Truncate(10 * time.Second)
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			mu.Lock()
			defer mu.Unlock()
			if now := time.Now().Truncate(10 * time.Second); !now.Equal(win) {
				win, used = now, 0
			}
			cost := 10
			if used+cost > 30 {
				rate(h, 30, 30-used, win.Add(10*time.Second))
				h.Set("Retry-After", "10")
				return 429, problemBody(429, "rate_limit_exceeded")
			}
			used += cost
			rate(h, 30, 30-used, win.Add(10*time.Second))
			return 201, jobBody(fmt.Sprint("job_", n))
		})
		defer s.stop()
		sc := sched()
		for i := range 7 {
			if err := create(s, sc, fmt.Sprint("pk", i)); err != nil {
				t.Fatal(err)
			}
		}
		if st := sc.Stats(); st.HTTP429 != 0 {
			t.Errorf("%d 429s with a point budget, want 0", st.HTTP429)
		}
	})
}

// Retry classes: 5xx and dropped connections back off with jitter and
// keep the key; other 4xx fail at once with the problem attached.
func TestRetryClasses(t *testing.T) {
	tests := []struct {
		name      string
		answers   []int // status per attempt; 0 drops the connection
		wantErr   bool
		wantCalls int
	}{
		{"500 twice then created (API.md internal_error: retry, same key)", []int{500, 500, 201}, false, 3},
		{"502 proxy page then created", []int{502, 201}, false, 2},
		{"dropped connection then created", []int{0, 201}, false, 2},
		{"422 validation fails at once", []int{422}, true, 1},
		{"409 conflict fails at once", []int{409}, true, 1},
		{"500 forever gives up after the bound", []int{500, 500, 500, 500, 500, 500, 500, 500, 500, 500}, true, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
					rate(h, 60, 50, time.Now().Add(30*time.Second))
					st := tc.answers[min(n, len(tc.answers)-1)]
					switch st {
					case 201:
						return 201, jobBody("job_1")
					case 502:
						h.Set("Content-Type", "text/html")
						return 502, "<html><body>Bad Gateway</body></html>"
					case 422:
						return 422, `{"title":"invalid","status":422,"code":"validation_failed","errors":[{"pointer":"/input/prompt","detail":"is required"}]}`
					case 409:
						return 409, problemBody(409, "conflict")
					}
					if st == 500 {
						return 500, problemBody(500, "internal_error")
					}
					return st, ""
				})
				defer s.stop()
				sc := sched()
				start := time.Now()
				err := create(s, sc, "key-r")
				if (err != nil) != tc.wantErr {
					t.Fatalf("err %v, want error %t", err, tc.wantErr)
				}
				a := s.arrivals()
				if len(a) != tc.wantCalls {
					t.Fatalf("%d attempts, want %d", len(a), tc.wantCalls)
				}
				for _, x := range a {
					if x.key != "key-r" {
						t.Errorf("attempt with key %q, want key-r", x.key)
					}
				}
				if tc.wantCalls > 1 && !tc.wantErr && time.Since(start) > 10*time.Second {
					t.Errorf("backoff took %v, more than the cap allows", time.Since(start))
				}
				var ae *apiclient.Error
				if tc.name[:3] == "422" && (!errors.As(err, &ae) || len(ae.Fields) != 1) {
					t.Errorf("validation error lost its fields: %v", err)
				}
			})
		})
	}
}

// Every wait is cancelable: a Retry-After of an hour ends at ctx cancel.
func TestWaitsAreCancelable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			rate(h, 60, 0, time.Now().Add(time.Hour))
			h.Set("Retry-After", "3600")
			return 429, problemBody(429, "rate_limit_exceeded")
		})
		defer s.stop()
		sc := sched()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := sc.Do(ctx, queue.Call{Kind: queue.KindCreate, Write: true, Retry: true}, func(ctx context.Context) (apiclient.Meta, error) {
			_, meta, err := s.client.CreateJob(ctx, apiclient.JobRequest{Model: "m", Input: json.RawMessage(`{}`)}, "k")
			return meta, err
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v, want the deadline", err)
		}
	})
}

// Crash safety: a job left "sending" by a run that died while its POST was
// at the server is sent again by the next run with its original key, and
// the journal survives reopening. Both POSTs must carry the key the queue
// gave the job at enqueue (the first run's included: a key made at send
// time would pass a check of the resumed run alone).
func TestJournalResumesWithTheSameKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var posts []string // Idempotency-Key of each POST, in order
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			rate(h, 60, 50, time.Now().Add(30*time.Second))
			if r.URL.Path == "/v1/balance" {
				return 200, `{"credits":100,"plan":"team"}`
			}
			mu.Lock()
			posts = append(posts, r.Header.Get("Idempotency-Key"))
			first := len(posts) == 1
			mu.Unlock()
			if first { // the process dies while its POST is at the server
				cancel()
				return 0, ""
			}
			return 201, jobBody("job_1")
		})
		defer s.stop()
		path := filepath.Join(t.TempDir(), "q.db")
		j, err := queue.OpenJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: sched(), API: s.client})
		if err != nil {
			t.Fatal(err)
		}
		added, err := q.Enqueue(queue.NewJob{Model: "flux-schnell", Input: json.RawMessage(`{"prompt":"x"}`), Credits: 1})
		if err != nil {
			t.Fatal(err)
		}
		key := added[0].Key
		_ = q.Run(ctx, true)
		j.Close()

		j2, err := queue.OpenJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		defer j2.Close()
		q2, err := queue.Open(queue.QueueOptions{Journal: j2, Scheduler: sched(), API: s.client})
		if err != nil {
			t.Fatal(err)
		}
		got := q2.List()
		if len(got) != 1 || got[0].Key != key || got[0].State != queue.StateSending {
			t.Fatalf("after reopen: %+v, want one job sending with key %s", got, key)
		}
		if err := q2.Run(context.Background(), true); err != nil {
			t.Fatal(err)
		}
		got = q2.List()
		if got[0].State != queue.StateCreated || got[0].JobID != "job_1" {
			t.Fatalf("after resume: %+v", got[0])
		}
		mu.Lock()
		defer mu.Unlock()
		if len(posts) != 2 || posts[0] != key || posts[1] != key {
			t.Errorf("POSTs carried keys %q, want two, both the journal's %s", posts, key)
		}
	})
}

// An ambiguous create (the server created the job, then the connection
// dropped before the answer) is retried with the key the queue generated
// at enqueue, so the server replays the job instead of creating a second
// one. The key is checked on the wire: the queue, not the test, picks it.
func TestAmbiguousCreateRetriesWithTheQueuesKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var posts []string
		created := map[string]string{} // Idempotency-Key → job id, as the server keeps them
		s := newScripted(t, func(n int, r *http.Request, h http.Header) (int, string) {
			rate(h, 60, 50, time.Now().Add(30*time.Second))
			if r.URL.Path == "/v1/balance" {
				return 200, `{"credits":100,"plan":"team"}`
			}
			k := r.Header.Get("Idempotency-Key")
			mu.Lock()
			defer mu.Unlock()
			posts = append(posts, k)
			id, replay := created[k]
			if !replay {
				id = fmt.Sprint("job_", len(created)+1)
				created[k] = id
			}
			if len(posts) == 1 {
				return 0, "" // processed, then the answer is lost
			}
			return 201, jobBody(id)
		})
		defer s.stop()
		j, err := queue.OpenJournal(filepath.Join(t.TempDir(), "q.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: sched(), API: s.client})
		if err != nil {
			t.Fatal(err)
		}
		added, err := q.Enqueue(queue.NewJob{Model: "flux-schnell", Input: json.RawMessage(`{"prompt":"x"}`), Credits: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Run(context.Background(), true); err != nil {
			t.Fatal(err)
		}
		key := added[0].Key
		mu.Lock()
		defer mu.Unlock()
		if len(posts) != 2 || posts[0] != key || posts[1] != key {
			t.Errorf("POSTs carried keys %q, want two with the queue's key %s", posts, key)
		}
		if len(created) != 1 {
			t.Errorf("the server created %d jobs (%v), want 1", len(created), created)
		}
		if got := q.List()[0]; got.State != queue.StateCreated || got.JobID != "job_1" {
			t.Errorf("job after the retry: %s %q, want created as job_1", got.State, got.JobID)
		}
	})
}
