// Package secret holds the one rule by which abtop ever shows an API token.
// config and apiclient both mask with it (neither imports the other).
package secret

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
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
