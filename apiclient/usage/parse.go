package usage

import (
	"net/http"
	"time"
)

// Parse reads every rate-limit, quota, credit and clock header of one
// response into a Snapshot. received is the local time the response arrived.
func Parse(h http.Header, received time.Time) Snapshot {
	return Snapshot{Received: received, Binding: -1}
}

// ParseReset reads one reset value in any format abtop knows and returns the
// time from ref until the reset. ok is false when the value is not understood.
func ParseReset(value string, ref time.Time) (time.Duration, bool) {
	return 0, false
}

// ParseRetryAfter reads Retry-After values and returns the most conservative
// (longest) wait from ref. ok is false when none is understood.
func ParseRetryAfter(values []string, ref time.Time) (time.Duration, bool) {
	return 0, false
}
