package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// hostile is server text that tries every way the issue found to drive a
// terminal: ESC (erase screen), an OSC 8 hyperlink, an OSC 0 window title,
// CR and backspace.
const hostile = "X\x1b[2J\x1b]8;;https://evil.example\x07link\x1b]8;;\x07\x1b]0;pwned\x07\rover\bwrite"

// hostileAPI is a /v1 whose every string field carries hostile.
func hostileAPI(t *testing.T) *httptest.Server {
	t.Helper()
	h := func(s string) string { b, _ := json.Marshal(s + hostile); return string(b) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
		w.Header().Set("X-RateLimit-Limit", "60")
		w.Header().Set("X-RateLimit-Remaining", "50")
		w.Header().Set("X-RateLimit-Reset", "30")
		switch {
		case r.URL.Path == "/v1/balance":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"credits":100,"plan":%s}`, h("team"))
		case r.URL.Path == "/v1/models":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"data":[{"id":"flux-schnell","kind":"image","credits":1},{"id":%s,"kind":%s,"credits":1,"min_plan":%s,"inputs":[{"name":%s,"type":"string"}]}]}`,
				h("model"), h("kind"), h("plan"), h("input"))
		case r.URL.Path == "/v1/jobs" && r.Method == http.MethodPost:
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprintf(w, `{"type":%s,"title":%s,"status":422,"detail":%s,"code":%s,"errors":[{"pointer":%s,"detail":%s}]}`,
				h("type"), h("title"), h("detail"), h("code"), h("/input/prompt"), h("field"))
		case r.URL.Path == "/v1/jobs":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"data":[{"id":%s,"model":%s,"status":"running","credits":1,"created_at":"2026-11-24T18:59:00Z","output":null,"error":null}]}`, h("job"), h("model"))
		default:
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"title":%s,"status":404,"detail":%s,"code":%s}`, h("title"), h("detail"), h("code"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Issue 11 item 1 acceptance: every command's output, fed a server whose
// every string carries control sequences, shows them escaped and passes
// none of them to the terminal raw.
func TestNoCommandPassesServerControlSequences(t *testing.T) {
	srv := hostileAPI(t)
	dir := isolateConfig(t)
	t.Setenv("ABTOP_BASE_URL", srv.URL)
	t.Setenv("ABTOP_TOKEN", cfgTok("h"))
	t.Setenv("ABTOP_JOURNAL", filepath.Join(dir, "queue.db"))
	unknown := filepath.Join(dir, "unknown.jsonl")
	os.WriteFile(unknown, []byte(`{"model":"nope","input":{"prompt":"x"}}`+"\n"), 0o600)
	refused := filepath.Join(dir, "refused.jsonl")
	os.WriteFile(refused, []byte(`{"model":"flux-schnell","input":{"prompt":"x"}}`+"\n"), 0o600)
	response := filepath.Join(dir, "resp.txt")
	body, _ := json.Marshal(map[string]any{"title": "t" + hostile, "detail": "d" + hostile, "code": "c" + hostile})
	os.WriteFile(response, []byte("HTTP/1.1 422 Unprocessable Entity\r\nContent-Type: application/problem+json\r\n\r\n"+string(body)), 0o600)

	for _, tc := range []struct {
		args []string
		show string // a hostile string the output must show, escaped
	}{
		{[]string{"status"}, "team"},
		{[]string{"status", "--json"}, "team"},
		{[]string{"submit", unknown}, "model"},
		{[]string{"submit", refused}, "detail"},
		{[]string{"submit", "--json", refused}, "detail"},
		{[]string{"inspect", response}, "d"},
		{[]string{"inspect", "--json", response}, "d"},
		{[]string{"jobs"}, ""},
		{[]string{"config", "show"}, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, out, errOut := runCmd(t, nil, tc.args...)
			all := out + errOut
			for _, c := range []string{"\x1b", "\x07", "\r", "\b"} {
				if strings.Contains(all, c) {
					t.Errorf("%q reached the terminal raw:\n%q", c, all)
				}
			}
			// shown, as an escape of one kind or another (\u001b, \x1b, \\x1b in JSON)
			if tc.show != "" && !regexp.MustCompile(regexp.QuoteMeta(tc.show+"X")+`\\+(u001b|x1b)\[2J`).MatchString(all) {
				t.Errorf("the server's %q is not shown escaped:\n%s", tc.show, all)
			}
		})
	}
}
