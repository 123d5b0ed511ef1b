package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBadTokenNeverLeavesTheMachine: a malformed token is rejected by
// config validation before any command sends a request, and the token
// appears nowhere in the output (issue 2 acceptance).
func TestBadTokenNeverLeavesTheMachine(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()

	dir := isolateConfig(t)
	jobs := filepath.Join(dir, "jobs.jsonl")
	if err := os.WriteFile(jobs, []byte(`{"model":"flux-schnell","input":{"prompt":"a cat"}}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{
		"too short":    "ab_" + strings.Repeat("k", 40) + "wxyz",
		"wrong prefix": "sk_" + strings.Repeat("k", 44) + "wxyz",
		"too long":     "ab_" + strings.Repeat("k", 50) + "wxyz",
	}
	commands := [][]string{{"status"}, {"status", "--json"}, {"submit", jobs}, {"submit", "--json", jobs}}
	for name, tok := range tokens {
		t.Setenv("ABTOP_TOKEN", tok)
		t.Setenv("ABTOP_BASE_URL", srv.URL)
		for _, args := range commands {
			code, out, errOut := runCmd(t, nil, args...)
			if code == 0 {
				t.Errorf("%s: abtop %s exited 0 with a bad token", name, strings.Join(args, " "))
			}
			if strings.Contains(out+errOut, tok) {
				t.Errorf("%s: abtop %s printed the full token:\n%s%s", name, strings.Join(args, " "), out, errOut)
			}
			if !strings.Contains(errOut, "token") {
				t.Errorf("%s: abtop %s: the error does not name the token:\n%s", name, strings.Join(args, " "), errOut)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the server with a malformed token; want 0", n)
	}
}
