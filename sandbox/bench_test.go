package sandbox_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/sandbox"
)

// The cost of one request through a real HTTP server (loopback TCP), the
// setting of benchmarks that use the sandbox as their API.
func BenchmarkRequests(b *testing.B) {
	for _, c := range []struct{ name, method, path, body string }{
		{"balance", "GET", "/v1/balance", ""},
		{"create-job", "POST", "/v1/jobs", fluxBody},
	} {
		b.Run(c.name, func(b *testing.B) {
			sb, err := sandbox.New(sandbox.Options{})
			if err != nil {
				b.Fatal(err)
			}
			_, tok, _ := sb.Bootstrap(sandbox.OrgOptions{Plan: sandbox.PlanEnterprise, Credits: 1e12,
				Limits: &sandbox.Limits{Requests: 1 << 30, Points: 1 << 30, MonthlyWrites: 1 << 30}})
			srv := httptest.NewServer(sb.Handler())
			defer srv.Close()
			for b.Loop() {
				req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := srv.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
