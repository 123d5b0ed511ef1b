package queue_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/sandbox"
)

// gateway is a limiting reverse proxy in front of the sandbox: a token
// bucket of rate requests a second and a small burst, below what the API
// advertises, answering nginx's bare 429 page with no Retry-After and no
// rate headers (limit_req with limit_req_status 429).
type gateway struct {
	next   http.RoundTripper
	rate   float64
	burst  float64
	mu     sync.Mutex
	tokens float64
	last   time.Time
	passed int
	denied int
}

const nginx429 = "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

func (g *gateway) RoundTrip(req *http.Request) (*http.Response, error) {
	g.mu.Lock()
	now := time.Now()
	if g.last.IsZero() {
		g.tokens = g.burst
	} else {
		g.tokens = min(g.burst, g.tokens+now.Sub(g.last).Seconds()*g.rate)
	}
	g.last = now
	if g.tokens < 1 {
		g.denied++
		g.mu.Unlock()
		if req.Body != nil {
			_, _ = io.Copy(io.Discard, req.Body)
			_ = req.Body.Close()
		}
		return &http.Response{
			StatusCode: http.StatusTooManyRequests, Status: "429 Too Many Requests", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:  http.Header{"Content-Type": {"text/html"}, "Server": {"nginx"}},
			Body:    io.NopCloser(strings.NewReader(nginx429)),
			Request: req, ContentLength: int64(len(nginx429)),
		}, nil
	}
	g.tokens--
	g.passed++
	g.mu.Unlock()
	return g.next.RoundTrip(req)
}

type gatewayRun struct {
	created, duplicates int64
	requests, denied    int
	elapsed             time.Duration
	pacing              string
}

// runBehindGateway sends n jobs through a gateway limiting to rate/s with
// burst, in front of a sandbox advertising 20 requests per 2 s (10/s).
func runBehindGateway(t *testing.T, client string, n int, rate, burst float64) gatewayRun {
	var gw *gateway
	e := newEnv(t, envOpts{
		sandbox: sandbox.Options{Window: benchWindow, Seed: 11, JobTimeScale: 0.01},
		org:     sandbox.OrgOptions{Plan: "enterprise", Credits: 1e7, Limits: &sandbox.Limits{Requests: benchReqs, Points: benchPoints, Concurrency: 1 << 20}},
		wrap: func(next http.RoundTripper) http.RoundTripper {
			gw = &gateway{next: next, rate: rate, burst: burst}
			return gw
		},
	})
	defer e.close()
	start := time.Now()
	switch client {
	case "abtop":
		if _, err := e.q.Enqueue(jobs(n)...); err != nil {
			t.Fatal(err)
		}
		if err := e.q.Run(bg, true); err != nil {
			t.Fatal(err)
		}
	case "naive":
		// Send, and on a 429 sleep its Retry-After (a second when it
		// gives none) and try again with the same key.
		for i, j := range jobs(n) {
			for {
				_, _, err := e.client.CreateJob(bg, apiclient.JobRequest{Model: j.Model, Input: j.Input}, fmt.Sprint("naive-", i))
				var ae *apiclient.Error
				if !errors.As(err, &ae) || ae.Status != 429 {
					if err != nil {
						t.Fatal(err)
					}
					break
				}
				wait := time.Second
				if ae.Snapshot.RetryAfter != nil {
					wait = *ae.Snapshot.RetryAfter
				}
				time.Sleep(wait)
			}
		}
	}
	r := gatewayRun{elapsed: time.Since(start), pacing: e.sched.Pacing(bg)}
	st := e.sb.Stats()
	r.created, r.duplicates = st.JobsCreated, st.DuplicateJobs
	gw.mu.Lock()
	r.requests, r.denied = gw.passed+gw.denied, gw.denied
	gw.mu.Unlock()
	return r
}

// TestGatewayBelowTheAdvertisedRate is issue 16's acceptance: behind a
// gateway limiting to 4 requests a second (burst 3) while the API
// advertises 10, with bare 429 pages, a 100-job batch is created exactly
// once, with at most 10 % of requests rejected, in at most 1.5 × the ideal
// time (what the gateway lets through, the burst included).
func TestGatewayBelowTheAdvertisedRate(t *testing.T) {
	for _, g := range []struct{ rate, burst float64 }{{4, 3}, {2, 2}, {7, 3}} {
		t.Run(fmt.Sprintf("%g per s, burst %g", g.rate, g.burst), func(t *testing.T) { testGateway(t, g.rate, g.burst) })
	}
}

func testGateway(t *testing.T, rate, burst float64) {
	const n = 100
	var abtop, naive gatewayRun
	synctest.Test(t, func(t *testing.T) { abtop = runBehindGateway(t, "abtop", n, rate, burst) })
	synctest.Test(t, func(t *testing.T) { naive = runBehindGateway(t, "naive", n, rate, burst) })
	// The balance check before the batch passes the gateway too.
	ideal := time.Duration((float64(n+1) - burst) / rate * float64(time.Second))
	for _, r := range []struct {
		name string
		gatewayRun
	}{{"abtop", abtop}, {"naive retry loop", naive}} {
		t.Logf("%-16s created %d (duplicates %d), requests %d, rejected %d (%.1f%%), %.1fs = %.2f × ideal %.1fs; %s",
			r.name, r.created, r.duplicates, r.requests, r.denied, 100*float64(r.denied)/float64(r.requests),
			r.elapsed.Seconds(), r.elapsed.Seconds()/ideal.Seconds(), ideal.Seconds(), r.pacing)
	}
	if abtop.created != n || abtop.duplicates != 0 {
		t.Errorf("created %d with %d duplicates, want %d once each", abtop.created, abtop.duplicates, n)
	}
	if f := float64(abtop.denied) / float64(abtop.requests); f > 0.10 {
		t.Errorf("%.1f%% of requests rejected, want ≤ 10%%", 100*f)
	}
	if abtop.elapsed > ideal*3/2 {
		t.Errorf("took %v, want ≤ 1.5 × %v", abtop.elapsed, ideal)
	}
	if !strings.Contains(abtop.pacing, "from 429s without hints; the API advertises 20 per 2s") {
		t.Errorf("pacing = %q, want the learned rate in words", abtop.pacing)
	}
}

var _ = queue.StateCreated
