// Package secret holds the one rule by which abtop ever shows an API token.
// config and apiclient both mask with it (neither imports the other).
package secret

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Prefix starts every abstrakt token.
const Prefix = "ab_"

// Mask returns a form of t that is safe to print: "ab_…" plus the last four
// characters, e.g. "ab_…wxyz". Tokens shorter than 12 characters show no
// tail (four characters of a short string are too much of it), tokens that
// do not start with "ab_" show no prefix, and "" is "(none)".
func Mask(t string) string {
	if t == "" {
		return "(none)"
	}
	prefix := ""
	if strings.HasPrefix(t, Prefix) {
		prefix = Prefix
	}
	r := []rune(t)
	tail := ""
	if len(r) >= 12 {
		tail = string(r[len(r)-4:])
	}
	return prefix + "…" + tail
}

// Fingerprint names the organization a token belongs to without holding
// the token: "sha256:" and the first 16 hex digits of its SHA-256 (64 bits
// of a hash of a 48-character random token give nothing back). The job
// journal stores it to tell one organization's jobs from another's.
func Fingerprint(t string) string {
	sum := sha256.Sum256([]byte(t))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// tokenLike matches anything shaped like an abstrakt token. Compiled on
// first use: every abtop command links this package, and start-up is the
// status line's latency.
var tokenLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("ab_[^\\s\"'`,;]+") })

// Scrub masks every token-shaped substring of s: for text abtop did not
// write itself (parser errors that quote values, server messages, a URL
// with a token pasted into its query).
func Scrub(s string) string {
	if !strings.Contains(s, Prefix) {
		return s
	}
	return tokenLike().ReplaceAllStringFunc(s, Mask)
}

// RedactURL is the one rule for showing a URL that may hold a secret (a
// limiter's Redis password, a token pasted into base_url): the password
// becomes "xxxxx", anything token-shaped is masked, and a string that does
// not parse as a URL loses everything between "://" and the last "@",
// where a password would be.
func RedactURL(raw string) string {
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil {
		return Scrub(u.Redacted())
	}
	if i, j := strings.Index(raw, "://"), strings.LastIndex(raw, "@"); i >= 0 && j > i {
		raw = raw[:i+3] + "xxxxx" + raw[j:]
	}
	return Scrub(raw)
}

// IsLoopback reports whether host is "localhost" or a loopback IP
// (127.0.0.0/8, ::1): the one place a token may travel over plain http://,
// since traffic to it never leaves the machine. A name under .localhost
// is resolved through DNS like any other by Go and may be a remote host.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
