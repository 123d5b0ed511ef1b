package queue

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

// An attempt whose request reached the API, or may have, but whose answer
// stated no count is Unseen (the budget keeps its units spent until an
// answer to a later grant counts them); a gateway's page and a connection
// that never opened are not (the API most likely never saw them, and
// their units come back with the next answer that says so).
func TestObservationSaysWhetherTheAPISawIt(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	rated := usage.Parse(http.Header{"X-Ratelimit-Limit": {"20"}, "X-Ratelimit-Remaining": {"7"}, "X-Ratelimit-Reset": {"2"}}, now)
	for _, tc := range []struct {
		name string
		meta apiclient.Meta
		err  error
		want bool
	}{
		{"a 201 without headers", apiclient.Meta{Status: 201}, nil, true},
		{"a 201 with its count", apiclient.Meta{Status: 201, Snapshot: rated}, nil, false},
		{"a 404 without headers", apiclient.Meta{}, &apiclient.Error{Status: 404}, true},
		{"a 429 without headers", apiclient.Meta{}, &apiclient.Error{Status: 429}, false},
		{"a gateway's 502 page", apiclient.Meta{}, &apiclient.Error{Status: 502}, false},
		{"a connection closed after sending", apiclient.Meta{}, &apiclient.TransportError{Err: io.EOF}, true},
		{"a 201 whose body broke off", apiclient.Meta{Status: 201}, &apiclient.TransportError{Err: io.ErrUnexpectedEOF}, true},
		// As attempt leaves them: the server may hold them, or get their bytes yet.
		{"given up at its deadline", apiclient.Meta{}, &apiclient.TransportError{Timeout: true, After: 2 * time.Second, Err: context.DeadlineExceeded}, true},
		{"given up as overtaken", apiclient.Meta{}, &apiclient.TransportError{Timeout: true, After: 500 * time.Millisecond, Err: context.DeadlineExceeded}, true},
		{"cancelled by the caller", apiclient.Meta{}, &apiclient.TransportError{Err: context.Canceled}, false},
		{"no connection", apiclient.Meta{}, &apiclient.TransportError{Err: &net.OpError{Op: "dial", Err: io.EOF}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := observation(budget.Grant{OK: true, Cost: 1, Units: 3}, now, now, tc.meta, tc.err)
			if got := o.Unseen && !o.RateLimited; got != tc.want {
				t.Errorf("Unseen %v (HasRate %v, RateLimited %v); want %v", o.Unseen, o.HasRate, o.RateLimited, tc.want)
			}
		})
	}
}
