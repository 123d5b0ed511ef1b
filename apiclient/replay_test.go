package apiclient

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
)

// A POST whose answer is dropped (the server handled it, then closed the
// connection) must come back to the caller as a failure, not be resent by
// net/http on its own: the transport replays a request carrying an
// Idempotency-Key on a reused connection, and that unseen resend spent a
// rate unit the scheduler never reserved (on a window's last unit, a 429).
func TestDroppedAnswerIsNotResentByTheTransport(t *testing.T) {
	var posts atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if posts.Add(1) == 1 {
				panic(http.ErrAbortHandler) // handled, then the connection closes
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"id":"job_1","status":"queued","model":"flux-schnell"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"credits":10}`))
	})
	c, _ := newTestClient(t, h, nil)
	// A first answer leaves the connection idle for reuse: the transport
	// only replays on a reused connection.
	if _, _, err := c.Balance(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.CreateJob(context.Background(), JobRequest{Model: "flux-schnell", Input: []byte(`{"prompt":"x"}`)}, "key-1")
	var te *TransportError
	if !errors.As(err, &te) {
		t.Errorf("CreateJob after a dropped answer: %v, want a transport error", err)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("the server saw %d POSTs, want 1 (the transport resent it)", n)
	}
}
