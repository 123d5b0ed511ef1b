package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/confpath"
	"github.com/abtop-dev/abtop/internal/secret"
)

const (
	// TokenPrefix and TokenLen describe every abstrakt token (API.md,
	// Authentication): malformed tokens are rejected before any request.
	TokenPrefix = "ab_"
	TokenLen    = 51

	DefaultBaseURL      = "https://api.abstrakt.dev"
	DefaultPollInterval = 5 * time.Second
	DefaultTimeout      = 30 * time.Second
	DefaultProfile      = confpath.DefaultProfile

	MinPollInterval = time.Second
	MaxPollInterval = 10 * time.Minute
	MinTimeout      = time.Second
	MaxTimeout      = 5 * time.Minute
)

// Problem is one configuration error or warning, naming where the value came
// from (a file path, "env ABTOP_X", "flag --x"), its key and the profile.
type Problem struct {
	Where   string `json:"where"`
	Key     string `json:"key"`
	Profile string `json:"profile,omitempty"`
	Msg     string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Where != "" {
		b.WriteString(p.Where + ": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key + ": ")
	}
	b.WriteString(p.Msg)
	// A key under profiles.X already names its profile.
	if p.Profile != "" && !strings.HasPrefix(p.Key, "profiles.") {
		b.WriteString(" (profile " + p.Profile + ")")
	}
	return b.String()
}

// ValidationError lists every problem found, so one run of
// `abtop config validate` shows them all.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid configuration: " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration (%d problems):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// ValidateToken returns "" when t is well formed, else why not. The message
// carries only the masked token.
func ValidateToken(t string) string {
	var why []string
	if !strings.HasPrefix(t, TokenPrefix) {
		why = append(why, fmt.Sprintf("must start with %q", TokenPrefix))
	}
	if n := len(t); n != TokenLen {
		why = append(why, fmt.Sprintf("must be exactly %d characters", TokenLen))
	}
	if strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		why = append(why, "must not contain spaces or control or non-ASCII characters")
	}
	if why == nil {
		return ""
	}
	return fmt.Sprintf("%s (got %s, %d characters)", strings.Join(why, " and "), MaskToken(t), len(t))
}

// validateBaseURL returns the normalised URL (no trailing slash) or why it
// is refused.
func validateBaseURL(raw string, allowInsecure bool) (string, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Sprintf("not a URL: %v", scrub(unwrapURLError(err).Error()))
	}
	// What the messages below may echo: a token pasted as ?key= or instead
	// of the URL, or a password in user:password@, must not come back.
	shown := scrub(u.Redacted())
	switch u.Scheme {
	case "https":
	case "http":
		if !allowInsecure && !IsLoopback(u.Hostname()) {
			return "", fmt.Sprintf("http:// to %q would send the token in clear text; use https:// or set allow_insecure_http: true", u.Hostname())
		}
	case "":
		return "", fmt.Sprintf("%q has no scheme; want https://host", shown)
	default:
		return "", fmt.Sprintf("scheme %q not supported; want https:// (or http:// to a loopback host)", u.Scheme)
	}
	if u.Host == "" {
		return "", fmt.Sprintf("%q has no host", shown)
	}
	if u.User != nil {
		return "", "must not contain user:password@ (use the token)"
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Sprintf("%q must not have a query or fragment", shown)
	}
	return strings.TrimRight(u.String(), "/"), ""
}

// unwrapURLError drops url.Error's repetition of the whole input.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// IsLoopback reports whether host is localhost, in 127.0.0.0/8 or ::1:
// traffic to it never leaves the machine, so http:// is allowed
// (secret.IsLoopback, shared with apiclient).
func IsLoopback(host string) bool { return secret.IsLoopback(host) }

// validateLimiter accepts the values apiclient/budget/limiter opens: "local"
// (the default, also meant by an empty value), "memory" and Redis URLs.
func validateLimiter(raw string) string {
	if raw == "local" || raw == "memory" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Sprintf("not a URL: %v", unwrapURLError(err))
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return fmt.Sprintf("scheme %q not supported; want redis://host:port/db, rediss://…, local or memory", u.Scheme)
	}
	if u.Host == "" {
		return fmt.Sprintf("%q has no host", u.Redacted())
	}
	return ""
}

// validateOut checks an output directory setting (blank means unset, as
// for every string key): a path that need not exist yet (submit creates
// it) but must be one a terminal can show, and a directory if it exists.
func validateOut(raw string) string {
	for _, r := range raw {
		if r < 0x20 || r == 0x7f {
			return "contains a control character"
		}
	}
	if fi, err := os.Stat(raw); err == nil && !fi.IsDir() {
		return fmt.Sprintf("%q is a file, not a directory", raw)
	}
	return ""
}

func parseBounded(s string, lo, hi time.Duration) (time.Duration, string) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Sprintf("%q is not a duration; want e.g. 5s, 1m30s", s)
	}
	if d < lo || d > hi {
		return 0, fmt.Sprintf("%s is out of bounds [%s, %s]", d, lo, hi)
	}
	return d, ""
}
