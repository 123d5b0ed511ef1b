package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/abtop-dev/abtop/config"
)

// StartTraffic runs a simulated second client of the org: with its own
// token it spends the org's rate window (and, now and then, credits and
// writes) at fraction of the window's allowance, so a dashboard watching
// the org shows movement it did not cause. It obeys the Retry-After it
// gets. It calls the API in-process (no faults, no network) and is counted
// in the stats like any client, except retry_after_violations. stop ends
// it and waits for it.
func (s *Sandbox) StartTraffic(ctx context.Context, orgID string, fraction float64) (stop func(), err error) {
	if fraction <= 0 || fraction > 1 {
		return nil, fmt.Errorf("sandbox: traffic fraction %v must be in (0, 1]", fraction)
	}
	tok, err := s.issueToken(orgID, true)
	if err != nil {
		return nil, fmt.Errorf("sandbox: traffic: %w", err)
	}
	s.mu.Lock()
	allowance := float64(s.rateLimit(s.orgs[orgID].limits))
	s.mu.Unlock()
	if s.opts.Dialect == DialectPoints {
		allowance /= 3 // the mix below averages about 3 points a request
	}
	every := time.Duration(float64(s.opts.Window) / (allowance * fraction))
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.traffic(ctx, tok, every)
	}()
	return func() { cancel(); <-done }, nil
}

func (s *Sandbox) traffic(ctx context.Context, tok string, every time.Duration) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+tok)
	wait := every
	for n := 0; ; n++ {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		req := apiRequest{method: http.MethodGet, path: "/v1/balance", header: h}
		switch n % 10 {
		case 3, 7:
			req.path, req.query = "/v1/jobs", map[string][]string{"status": {statusRunning}}
		case 9:
			req.method, req.path = http.MethodPost, "/v1/jobs"
			req.body = fmt.Appendf(nil, `{"model":"flux-schnell","input":{"prompt":"traffic %d: a lighthouse at dusk"}}`, n)
		}
		resp, _ := s.serveAPI(req, false)
		s.count(resp.status)
		if s.opts.Logger != nil {
			s.opts.Logger.Info("request", "method", req.method, "path", req.path, "status", resp.status,
				"token", config.MaskToken(tok), "client", "simulated traffic")
		}
		wait = every
		if secs, err := strconv.Atoi(resp.header.Get("Retry-After")); err == nil && secs > 0 {
			wait = time.Duration(secs) * time.Second
		}
	}
}
