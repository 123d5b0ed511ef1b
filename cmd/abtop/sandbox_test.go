package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/internal/syncbuf"
)

// Issue 3 acceptance: "abtop sandbox" answers
// curl -si -H "Authorization: Bearer <token>" <url>/v1/balance with the
// headers, a bad token gets 401 problem+json, and ctrl+c stops it cleanly.
func TestSandboxCommand(t *testing.T) {
	isolateConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var errOut syncbuf.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"sandbox", "--plan", "free", "--window", "10s", "--credits", "42"}, streams{In: strings.NewReader(""), Out: outW, Err: &errOut})
		outW.Close()
	}()

	var baseURL, token, example string
	sc := bufio.NewScanner(outR)
	for sc.Scan() && (baseURL == "" || token == "" || example == "") {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "base URL: "); ok {
			baseURL = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "token:"); ok {
			token = strings.TrimSpace(v)
		}
		if strings.Contains(line, "abtop status") {
			example = line
		}
	}
	go io.Copy(io.Discard, outR) // keep the command's later prints from blocking
	if !strings.HasPrefix(baseURL, "http://127.0.0.1:") || len(token) != 51 || !strings.HasPrefix(token, "ab_") {
		t.Fatalf("base URL %q, token %q: want a loopback URL and a 51-character ab_ token (stderr: %s)", baseURL, token, errOut.String())
	}
	if !strings.Contains(example, "ABTOP_BASE_URL="+baseURL) || !strings.Contains(example, "ABTOP_TOKEN="+token) {
		t.Errorf("example line %q does not use the URL and token", example)
	}

	get := func(auth string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", baseURL+"/v1/balance", nil)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	resp, body := get("Bearer " + token)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"credits":42`) || !strings.Contains(string(body), `"plan":"free"`) {
		t.Errorf("balance: %d %s", resp.StatusCode, body)
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Credits-Remaining", "Date"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("balance lacks %s", h)
		}
	}
	if resp.Header.Get("X-RateLimit-Limit") != "10" {
		t.Errorf("X-RateLimit-Limit %q, want the Free plan's 10", resp.Header.Get("X-RateLimit-Limit"))
	}
	if _, err := http.ParseTime(resp.Header.Get("X-RateLimit-Reset")); err != nil {
		t.Errorf("X-RateLimit-Reset %q is not an HTTP-date", resp.Header.Get("X-RateLimit-Reset"))
	}

	resp, body = get("Bearer ab_" + strings.Repeat("z", 48))
	var p struct{ Code string }
	if resp.StatusCode != 401 || resp.Header.Get("Content-Type") != "application/problem+json" ||
		json.Unmarshal(body, &p) != nil || p.Code != "unauthorized" {
		t.Errorf("bad token: %d %s %s, want 401 problem+json unauthorized", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}

	cancel() // ctrl+c
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit code %d after ctrl+c; stderr: %s", c, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("abtop sandbox did not stop within 10s of ctrl+c")
	}
	log := errOut.String()
	if strings.Count(log, "path=/v1/balance") != 2 || !strings.Contains(log, "status=401") {
		t.Errorf("want one log line per request, got:\n%s", log)
	}
	if strings.Contains(log, token) || strings.Contains(log, strings.Repeat("z", 48)) || !strings.Contains(log, "ab_…"+token[47:]) {
		t.Errorf("the log must show tokens masked only:\n%s", log)
	}
}

func TestSandboxCommandBadFlags(t *testing.T) {
	isolateConfig(t)
	for _, c := range []struct{ args, want string }{
		{"--dialect soap", "unknown dialect"},
		{"--faults teapot=1", "unknown kind"},
		{"--plan platinum", "unknown plan"},
		{"--window 1500ms", "whole number of seconds"},
		{"--listen 256.0.0.1:1", "listen"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"sandbox"}, strings.Fields(c.args)...), streams{In: strings.NewReader(""), Out: &out, Err: &errOut})
		if code != 1 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 1 and %q", c.args, code, errOut.String(), c.want)
		}
	}
}

// The embedded sandbox serves a working token and logs nothing.
func TestStartEmbeddedSandbox(t *testing.T) {
	var errOut syncbuf.Buffer
	a := newApp(streams{In: strings.NewReader(""), Out: io.Discard, Err: &errOut})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	baseURL, token, err := a.startEmbeddedSandbox(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", baseURL+"/v1/balance", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Quota-Limit") != "25000" {
		t.Errorf("embedded balance: %d %v, want 200 on the Team plan", resp.StatusCode, resp.Header)
	}
	a.cleanup()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("the sandbox still answers after cleanup")
	}
	if errOut.String() != "" {
		t.Errorf("embedded mode wrote to the terminal: %q", errOut.String())
	}
}
