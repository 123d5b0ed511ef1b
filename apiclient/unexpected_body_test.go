package apiclient

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A 2xx that is not the JSON expected says what it got in plain words:
// an HTML page (a captive portal or a proxy), or JSON of another shape;
// never "invalid character '<'" or a Go type.
func TestUnexpectedSuccessBodySaysWhatCame(t *testing.T) {
	for _, tc := range []struct {
		name, ctype, body string
		want              string
	}{
		{"html page", "text/html", "<!DOCTYPE html><html><title>Hotel Wi-Fi login</title></html>", "got an HTML page (captive portal or proxy?)"},
		{"html without type", "", "\n  <html><body>Sign in</body></html>", "got an HTML page (captive portal or proxy?)"},
		{"wrong shape", "application/json", `[1,2,3]`, "a JSON array where an object was expected"},
		{"not json", "application/json", `credits=5`, "not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.ctype != "" {
					w.Header().Set("Content-Type", tc.ctype)
				}
				io.WriteString(w, tc.body)
			}), nil)
			_, _, err := c.Balance(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("%q lacks %q", msg, tc.want)
			}
			for _, internal := range []string{"invalid character", "Go value", "interface", "unmarshal"} {
				if strings.Contains(msg, internal) {
					t.Errorf("%q shows Go internals (%q)", msg, internal)
				}
			}
		})
	}
}
