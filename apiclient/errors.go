package apiclient

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/internal/secret"
)

// Error reads like "429 rate_limit_exceeded: Too many requests — retry in 12s".
// It never contains the token (apiError scrubs it from the server's words).
func (e *Error) Error() string {
	msg := e.Message // detail, else message, else title (apiError fills it)
	for _, alt := range []string{e.Detail, e.Title} {
		if msg == "" {
			msg = alt
		}
	}
	var b strings.Builder
	b.WriteString(ProblemLine(e.Status, e.Code, msg, e.Fields))
	switch {
	case e.Exhausted != "":
		fmt.Fprintf(&b, " — %s exhausted", e.Exhausted)
		if e.Wait > 0 {
			b.WriteString(", resets in " + format.Duration(e.Wait))
		}
	case e.Retryable && e.Wait > 0:
		b.WriteString(" — retry in " + format.Duration(e.Wait))
	}
	return b.String()
}

// ProblemLine is the one way abtop writes an API problem on one line, in
// the dashboard, submit's summary and status alike: "422 validation_failed:
// the prompt is empty; /input/prompt: required". status 0 (a problem the
// client made up) is left out; an empty msg falls back to the status text.
// Server text has its control characters shown, never obeyed.
func ProblemLine(status int, code, msg string, fields []problem.FieldError) string {
	var parts []string
	if status > 0 {
		parts = append(parts, strconv.Itoa(status))
	}
	if code != "" {
		parts = append(parts, oneLine(code))
	}
	s := strings.Join(parts, " ")
	if msg == "" {
		msg = http.StatusText(status)
	}
	if msg != "" {
		if s != "" {
			s += ": "
		}
		s += oneLine(msg)
	}
	for _, f := range fields {
		s += fmt.Sprintf("; %s: %s", oneLine(f.Pointer), oneLine(f.Detail))
	}
	return s
}

// Error reads like "GET /v1/balance: no response within 30s (timeout)".
func (e *TransportError) Error() string {
	where := e.Method + " " + e.Path
	if e.Timeout {
		if e.After > 0 {
			return fmt.Sprintf("%s: no response within %s (timeout)", where, format.Duration(e.After))
		}
		return fmt.Sprintf("%s: timed out: %v", where, e.Err)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

// Unwrap exposes the cause (context.Canceled, ErrBodyTooLarge, net errors…).
func (e *TransportError) Unwrap() error { return e.Err }

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

// scrubTokenLike masks every token-shaped substring of s, for text that
// may hold a token other than the client's own (a pasted base URL).
func scrubTokenLike(s string) string { return secret.Scrub(s) }

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
