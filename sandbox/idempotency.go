package sandbox

import (
	"bytes"
	"encoding/json"
	"time"
)

// idemTTL is how long an Idempotency-Key is remembered, in sandbox time.
const idemTTL = 24 * time.Hour

// idemEntry is the cached outcome of the first successful write under a key.
// Only successes are cached: a write rejected for credits, quota or
// validation did nothing, so a retry with the same key gets a fresh try
// (as Stripe does).
type idemEntry struct {
	fingerprint string
	expires     time.Time
	resp        response
}

// fingerprint identifies "the same request" for a key: method, path and the
// body as canonical JSON, so whitespace and member order do not matter.
func fingerprint(method, path string, body []byte) string {
	canon := body
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if len(bytes.TrimSpace(body)) > 0 && dec.Decode(&v) == nil {
		if b, err := json.Marshal(v); err == nil {
			canon = b
		}
	}
	return method + " " + path + "\n" + string(canon)
}

// lookupIdem returns the live entry for key, dropping an expired one. s.mu held.
func (o *org) lookupIdem(key string, now time.Time) *idemEntry {
	e := o.idem[key]
	if e != nil && !now.Before(e.expires) {
		delete(o.idem, key)
		return nil
	}
	return e
}
