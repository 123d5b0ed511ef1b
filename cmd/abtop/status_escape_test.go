package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestStatusProblemNeutralisesControlCharacters: abtop status prints the
// server's title, detail, code and field errors; an ESC or BEL in them
// must show escaped, not drive the terminal.
func TestStatusProblemNeutralisesControlCharacters(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"title":"T\u001b]0;pwned\u0007","status":401,"detail":"d\u001b[2J","code":"c\u001b[31m",`+
			`"errors":[{"pointer":"/a\u001b[1m","detail":"f\u009b1m"}]}`)
	}))
	defer srv.Close()
	stEnv(t, srv.URL)
	code, _, errOut := stRun(t, "", "status")
	if code == 0 {
		t.Fatal("exit 0 on a 401")
	}
	if strings.ContainsAny(errOut, "\x1b\a\u009b") {
		t.Fatalf("stderr holds raw control characters: %q", errOut)
	}
	for _, want := range []string{`title:  T\x1b]0;pwned\a`, `detail: d\x1b[2J`, `code:   c\x1b[31m`, `field /a\x1b[1m: f\u009b1m`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}
