package config

import (
	"net/url"
	"regexp"

	"github.com/abtop-dev/abtop/internal/secret"
)

// MaskToken returns a form of t that is safe to print: "ab_…" plus the last
// four characters, e.g. "ab_…wxyz". Tokens shorter than 12 characters show
// no tail (four characters of a short string are too much of it), tokens
// that do not start with "ab_" show no prefix, and "" is "(none)".
func MaskToken(t string) string { return secret.Mask(t) }

var tokenLikeRE = regexp.MustCompile("ab_[^\\s\"'`,;]+")

// scrub masks anything token-shaped in text we did not write ourselves
// (YAML parser errors quote keys and values).
func scrub(s string) string {
	return tokenLikeRE.ReplaceAllStringFunc(s, MaskToken)
}

// RedactURL hides the password of a URL such as redis://:pw@host (the
// limiter) and anything token-shaped in it (a token pasted as ?key= into
// base_url); a string that does not parse is only scrubbed.
func RedactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		s = u.Redacted()
	}
	return scrub(s)
}
