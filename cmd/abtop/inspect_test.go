package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectCommand(t *testing.T) {
	sample := filepath.Join("..", "..", "testdata", "sample-429.txt")
	raw, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name     string
		stdin    string
		args     []string
		code     int
		stdout   []string
		stderr   string // substring; "" = must be empty
		oneLine  bool   // stderr must be exactly one line
		wantJSON bool
	}{
		{name: "README example: the shipped 429 sample", args: []string{"inspect", sample}, code: 0,
			stdout: []string{"HTTP/1.1 429 Too Many Requests", "0/60 left", "resets in 12s", "rate_limit_exceeded", "rate limited: retry in 12s"}},
		{name: "stdin when no FILE", stdin: string(raw), args: []string{"inspect"}, code: 0,
			stdout: []string{"HTTP/1.1 429 Too Many Requests"}},
		{name: "- is stdin", stdin: string(raw), args: []string{"inspect", "-"}, code: 0,
			stdout: []string{"HTTP/1.1 429"}},
		{name: "--json prints the report object", args: []string{"inspect", "--json", sample}, code: 0, wantJSON: true,
			stdout: []string{`"status": 429`, `"retry_after_s": 12`, `"code": "rate_limit_exceeded"`, `"exhausted": null`}},
		{name: "malformed headers and body still explained, exit 0",
			args: []string{"inspect", write("bad.txt", "HTTP/1.1 429 Too Many Requests\nX-RateLimit-Reset: soon\nRetry-After: yesterday\nnot a header\nContent-Length: 900\n\n<html><b>busy</b>")},
			code: 0, stdout: []string{"HTTP/1.1 429", `"soon" is not a time`, "not a header", "truncated", "Problems found"}},
		{name: "not an HTTP response: one-line error, exit 1",
			args: []string{"inspect", write("body.json", `{"credits": 1}`)}, code: 1, stderr: "is not a status line", oneLine: true},
		{name: "empty stdin", args: []string{"inspect"}, code: 1, stderr: "empty input", oneLine: true},
		{name: "missing file", args: []string{"inspect", filepath.Join(dir, "nope.txt")}, code: 1, stderr: "nope.txt", oneLine: true},
		{name: "two files", args: []string{"inspect", sample, sample}, code: 1, stderr: "accepts at most 1 arg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := stRun(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if tc.stderr == "" && errOut != "" {
				t.Errorf("stderr = %q", errOut)
			}
			if tc.stderr != "" && !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr = %q, want %q", errOut, tc.stderr)
			}
			if tc.oneLine && strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", errOut)
			}
			if tc.wantJSON {
				var m map[string]any
				if err := json.Unmarshal([]byte(out), &m); err != nil || len(m) != 11 {
					t.Errorf("not the 11-key object: %v\n%s", err, out)
				}
			}
			if strings.Contains(out, "\x1b[") {
				t.Error("colour codes written to a non-terminal")
			}
		})
	}
}

// TestInspectNeedsNoConfig: inspect works offline with no token at all.
func TestInspectNeedsNoConfig(t *testing.T) {
	stEnv(t, "")
	t.Setenv("ABTOP_TOKEN", "not-a-token")
	code, out, errOut := stRun(t, "HTTP/2 200\n\n", "inspect")
	if code != 0 || !strings.Contains(out, "HTTP/2 200 OK") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
