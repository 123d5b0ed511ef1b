// Package webhook verifies Standard Webhooks deliveries
// (https://www.standardwebhooks.com/), as abstrakt sends them: headers
// webhook-id, webhook-timestamp (Unix seconds) and webhook-signature
// ("v1,<base64 HMAC-SHA256 of id.timestamp.body>", several separated by
// spaces during key rotation), keyed by the org's "whsec_<base64>" secret.
//
// It is crypto/hmac rather than the reference library
// (github.com/standard-webhooks/standard-webhooks/libraries, v0.0.1 only):
// that one reads time.Now for the timestamp window with no way to pass the
// server's clock, which abtop's tests and skewed clocks need.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is how far a timestamp may be from now either way.
const DefaultTolerance = 5 * time.Minute

// Reasons a delivery is refused, for errors.Is and for the log.
var (
	ErrMissingHeaders = errors.New("missing webhook-id, webhook-timestamp or webhook-signature")
	ErrBadTimestamp   = errors.New("webhook-timestamp is not Unix seconds")
	ErrTooOld         = errors.New("timestamp too old")
	ErrTooNew         = errors.New("timestamp too far in the future")
	ErrNoSignature    = errors.New("no matching v1 signature")
)

// Verifier checks deliveries against one secret. Safe for concurrent use.
type Verifier struct {
	key       []byte
	tolerance time.Duration
	now       func() time.Time
}

// NewVerifier takes the secret as GET /v1/webhooks/secret gives it
// ("whsec_" + base64; the prefix is optional) and the clock to judge
// timestamps by (nil: time.Now). tolerance 0 means DefaultTolerance.
func NewVerifier(secret string, now func() time.Time, tolerance time.Duration) (*Verifier, error) {
	key, err := DecodeSecret(secret)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	return &Verifier{key: key, tolerance: tolerance, now: now}, nil
}

// DecodeSecret returns the key bytes of a "whsec_<base64>" secret.
func DecodeSecret(secret string) ([]byte, error) {
	b64 := strings.TrimPrefix(strings.TrimSpace(secret), "whsec_")
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(key) == 0 {
		return nil, errors.New("webhook: the secret is not whsec_ followed by base64")
	}
	return key, nil
}

// Delivery is what a verified request says about itself.
type Delivery struct {
	ID        string // de-duplicate by it: retries and duplicates share it
	Timestamp time.Time
}

// Verify checks the headers and the raw body (verify before parsing it).
// The error wraps one of the Err… reasons.
func (v *Verifier) Verify(h http.Header, body []byte) (Delivery, error) {
	id, ts, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || ts == "" || sigs == "" {
		return Delivery{}, ErrMissingHeaders
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
	if err != nil {
		return Delivery{}, ErrBadTimestamp
	}
	at := time.Unix(secs, 0)
	now := v.now()
	switch {
	case now.Sub(at) > v.tolerance:
		return Delivery{}, fmt.Errorf("%w: %s before now", ErrTooOld, now.Sub(at).Round(time.Second))
	case at.Sub(now) > v.tolerance:
		return Delivery{}, fmt.Errorf("%w: %s after now", ErrTooNew, at.Sub(now).Round(time.Second))
	}
	want := mac(v.key, id, secs, body)
	for _, s := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue // other schemes (v1a: asymmetric) are not ours to check
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return Delivery{ID: id, Timestamp: at}, nil
		}
	}
	return Delivery{}, ErrNoSignature
}

// Sign is the header value of a v1 signature: for tests and for
// anything that sends deliveries.
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, timestamp, body))
}

func mac(key []byte, id string, timestamp int64, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	m.Write(body)
	return m.Sum(nil)
}
