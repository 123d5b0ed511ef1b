package inspect

import (
	"bytes"
	"strings"
	"testing"
)

// TestHumanNeutralisesControlCharacters: a response is untrusted input; an
// ESC or BEL in its status line, headers or error body must not reach the
// terminal raw (it could clear the screen or retitle the window). Each
// place Human prints text the server chose is covered.
func TestHumanNeutralisesControlCharacters(t *testing.T) {
	raw := "HTTP/1.1 422 Bad \x1b[2J Input\n" +
		"X-RateLimit-Limit: 60\nX-RateLimit-Remaining: 5\nX-RateLimit-Scope: us\x1b[1mer\n" +
		"X-RateLimit-Unit: po\x1b[5mints\n" +
		"Content-Type: application/problem+json\n\n" +
		`{"title":"T\u001b]0;pwned\u0007","code":"c\u001b[31m","detail":"d\u001b[2J",` +
		`"errors":[{"pointer":"/a\u001b[31m","detail":"f\u009b1m"}]}`
	for _, color := range []bool{false, true} {
		r, err := Parse([]byte(raw), now)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := r.Human(&out, color); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		if color {
			// Our own colours are "\x1b[…m"; the server's sequences above are not.
			for _, bad := range []string{"\x1b[2J", "\x1b]0;", "\a", "\x1b[1mer", "\x1b[5mints", "c\x1b[31m", "/a\x1b[31m", "\u009b"} {
				if strings.Contains(got, bad) {
					t.Errorf("color: output holds the server's %q:\n%s", bad, got)
				}
			}
			continue
		}
		if strings.ContainsAny(got, "\x1b\a\u009b") {
			t.Errorf("output holds raw control characters:\n%q", got)
		}
		for _, want := range []string{`Bad \x1b[2J Input`, `us\x1b[1mer`, `c\x1b[31m`, `/a\x1b[31m`, `f\u009b1m`} {
			if !strings.Contains(got, want) {
				t.Errorf("output lacks the escaped form %q:\n%s", want, got)
			}
		}
	}
}
