package config

import (
	"github.com/abtop-dev/abtop/internal/secret"
)

// MaskToken returns a form of t that is safe to print: "ab_…" plus the last
// four characters, e.g. "ab_…wxyz". Tokens shorter than 12 characters show
// no tail (four characters of a short string are too much of it), tokens
// that do not start with "ab_" show no prefix, and "" is "(none)".
func MaskToken(t string) string { return secret.Mask(t) }

// scrub masks anything token-shaped in text we did not write ourselves
// (YAML parser errors quote keys and values).
func scrub(s string) string { return secret.Scrub(s) }

// RedactURL hides the password of a URL such as redis://:pw@host (the
// limiter) and anything token-shaped in it (a token pasted as ?key= into
// base_url): secret.RedactURL.
func RedactURL(s string) string { return secret.RedactURL(s) }
