package apiclient

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/abtop-dev/abtop/internal/secret"
)

// Error reads like "429 rate_limit_exceeded: Too many requests — retry in 12s".
// It never contains the token (apiError scrubs it from the server's words).
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + oneLine(e.Code))
	}
	msg := e.Message
	if msg == "" {
		msg = e.Title
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if msg != "" {
		b.WriteString(": " + oneLine(msg))
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", oneLine(f.Pointer), oneLine(f.Detail))
	}
	switch {
	case e.Exhausted != "":
		fmt.Fprintf(&b, " — %s exhausted", e.Exhausted)
		if e.Wait > 0 {
			b.WriteString(", resets in " + HumanDuration(e.Wait))
		}
	case e.Retryable && e.Wait > 0:
		b.WriteString(" — retry in " + HumanDuration(e.Wait))
	}
	return b.String()
}

// Error reads like "GET /v1/balance: no response within 30s (timeout)".
func (e *TransportError) Error() string {
	where := e.Method + " " + e.Path
	if e.Timeout {
		if e.After > 0 {
			return fmt.Sprintf("%s: no response within %s (timeout)", where, HumanDuration(e.After))
		}
		return fmt.Sprintf("%s: timed out: %v", where, e.Err)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

// Unwrap exposes the cause (context.Canceled, ErrBodyTooLarge, net errors…).
func (e *TransportError) Unwrap() error { return e.Err }

// HumanDuration formats a wait for people: "350ms", "12s", "12.5s", "4m05s",
// "6d 19h". Negative durations print as "0s".
func HumanDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		s := d.Round(100 * time.Millisecond).Seconds()
		if s == float64(int64(s)) {
			return fmt.Sprintf("%ds", int64(s))
		}
		return fmt.Sprintf("%.1fs", s)
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 48*time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		d = d.Round(time.Hour)
		return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	}
}

// MaskToken shows a token as "ab_…wxyz", the only form in which abtop ever
// prints one (the rule lives in internal/secret, shared with config).
func MaskToken(tok string) string { return secret.Mask(tok) }

// scrubToken replaces every occurrence of tok in s with its masked form.
func scrubToken(s, tok string) string {
	if tok == "" || !strings.Contains(s, tok) {
		return s
	}
	return strings.ReplaceAll(s, tok, MaskToken(tok))
}

// tokenLike matches anything shaped like an abstrakt token, for text that
// may hold a token other than the client's own (a pasted base URL).
var tokenLike = regexp.MustCompile("ab_[^\\s\"'`,;]+")

// scrubTokenLike masks every token-shaped substring of s.
func scrubTokenLike(s string) string { return tokenLike.ReplaceAllStringFunc(s, MaskToken) }

// scrubAny scrubs tok from every string inside a decoded JSON value.
func scrubAny(v any, tok string) any {
	switch x := v.(type) {
	case string:
		return scrubToken(x, tok)
	case map[string]any:
		if x == nil {
			return x
		}
		// Keys too: a member named after the token would show in %+v.
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[scrubToken(k, tok)] = scrubAny(e, tok)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = scrubAny(e, tok)
		}
	}
	return v
}

// oneLine collapses whitespace runs so an error stays on one line.
func oneLine(s string) string {
	return Printable(strings.Join(strings.Fields(s), " "))
}

// Printable shows the control characters (C0, DEL, C1) of text a server
// chose as Go escapes ("\x1b"): written raw to a terminal, an ESC or BEL
// would drive it (clear the screen, retitle the window) instead of being
// read.
func Printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
