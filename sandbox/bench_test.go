package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// The reads a batch's tracking makes: one updated_since page of 100 over an
// org of 1,000 finished jobs, and one output file from the file host.
func BenchmarkBatchReads(b *testing.B) {
	sb, err := sandbox.New(sandbox.Options{StartDelay: -1, JobTimeScale: 1e-6})
	if err != nil {
		b.Fatal(err)
	}
	_, tok, _ := sb.Bootstrap(sandbox.OrgOptions{Plan: sandbox.PlanEnterprise, Credits: 1e12,
		Limits: &sandbox.Limits{Requests: 1 << 30, Points: 1 << 30, MonthlyWrites: 1 << 30}})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	get := func(url string, auth bool) []byte {
		req, _ := http.NewRequest("GET", url, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d %s", url, resp.StatusCode, body)
		}
		return body
	}
	for range 1000 {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/jobs", strings.NewReader(fluxBody))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	time.Sleep(10 * time.Millisecond) // every job finishes (run times are microseconds)
	page := get(srv.URL+"/v1/jobs?limit=100&updated_since=2000-01-01T00:00:00Z", true)
	var p struct {
		Data []struct {
			Output struct {
				Images []struct{ URL string } `json:"images"`
			} `json:"output"`
		} `json:"data"`
	}
	if err := json.Unmarshal(page, &p); err != nil || len(p.Data) != 100 || len(p.Data[0].Output.Images) != 1 {
		b.Fatalf("page: %v %d", err, len(p.Data))
	}
	file := p.Data[0].Output.Images[0].URL
	b.Run("list-updated-since-100-of-1000", func(b *testing.B) {
		for b.Loop() {
			get(srv.URL+"/v1/jobs?limit=100&updated_since=2000-01-01T00:00:00Z", true)
		}
	})
	b.Run("download-png", func(b *testing.B) {
		for b.Loop() {
			get(file, false)
		}
	})
}
