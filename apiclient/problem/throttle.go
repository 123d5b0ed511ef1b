package problem

import (
	"bytes"
	"net/http"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

// Throttled reports whether a successful answer is a throttle in
// disguise: GraphQL APIs answer 200 with errors[].extensions.code
// THROTTLED (Shopify) or RATE_LIMITED (GitHub) and no data. Such a body
// must count as a rate-limit rejection, not a success, or a client keeps
// sending into the throttle.
//
// The choice: apiclient asks this of every 2xx body it reads, so the
// scheduler sees the throttle as a rejection (with the cost bucket's
// limits and wait). It is cheap for the bodies abstrakt sends: a body
// without the bytes `"errors"` is never parsed, and one with them only
// counts when it parses to a top-level errors array whose code is a
// rate-limit code (a job's own output never has that shape at the top).
func Throttled(status int, h http.Header, body []byte) bool {
	if status < 200 || status >= 300 || !bytes.Contains(body, []byte(`"errors"`)) {
		return false
	}
	p := Parse(status, h, body)
	if p.Shape != ShapeErrors {
		return false
	}
	return Classify(p, usage.Snapshot{Binding: -1}).Kind == KindRateLimit
}
