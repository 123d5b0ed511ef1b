package apiclient

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/problem"
)

// A response whose body breaks off mid-way (Content-Length promises more,
// then the connection closes: the sandbox's "truncate" fault, a proxy
// restarting) still delivered its status line and headers. An error keeps
// its status, Retry-After and rate headers; a success keeps its headers in
// Meta beside the transport error (the job in its body is lost).
func TestCutOffBodyKeepsItsHeaders(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"429 problem cut off", 429, `{"type":"about:blank","title":"Too Many Requests","status":429,"code":"rate_limit_exceeded","detail":"slow down"}`},
		{"201 job cut off", 201, `{"id":"job_1","model":"flux-schnell","status":"queued","credits":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seed000Headers(w.Header())
				w.Header().Set("Retry-After", "7")
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(len(tc.body)+64))
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body[:len(tc.body)/2]))
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler)
			}), func(o *Options) { o.Timeout = 5 * time.Second })
			_, meta, err := c.CreateJob(context.Background(), JobRequest{Model: "flux-schnell"}, "key-1")
			if err == nil {
				t.Fatal("no error for a cut-off body")
			}
			snap := meta.Snapshot
			if tc.status >= 300 {
				var ae *Error
				if !errors.As(err, &ae) || ae.Status != tc.status {
					t.Fatalf("error %T %v, want an *Error with status %d", err, err, tc.status)
				}
				snap = ae.Snapshot
				if ae.Wait != 7*time.Second {
					t.Errorf("Wait %v, want the Retry-After, 7s", ae.Wait)
				}
			} else {
				var te *TransportError
				if !errors.As(err, &te) || meta.Status != tc.status {
					t.Fatalf("error %T %v, meta status %d; want a *TransportError and meta status %d", err, err, meta.Status, tc.status)
				}
			}
			if l, ok := snap.BindingLimit(); !ok || l.Remaining == nil || *l.Remaining != 41 {
				t.Errorf("rate headers lost: %+v", snap.Limits)
			}
		})
	}
}

// A 200 that is a GraphQL throttle (Shopify's THROTTLED with its cost
// bucket) comes back as a rate-limit error the scheduler waits out, not as
// a success.
func TestGraphQLThrottleIsAnError(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":666,"restoreRate":50.0}}}}`))
	}), nil)
	_, _, err := c.Balance(context.Background())
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != 200 || ae.Kind != problem.KindRateLimit || !ae.Retryable {
		t.Fatalf("error %T %v, want a retryable rate-limit *Error with status 200", err, err)
	}
	if ae.Wait < 1700*time.Millisecond {
		t.Errorf("Wait %v, want until the requested 752 points are back: (752-666)/50 = 1.72 s", ae.Wait)
	}
}
