package queue_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
)

// Retries are not silent: each backoff says which retry of how many, in
// how long, and why, in words ("retrying (2/8) in 1s: connection refused").
func TestBackoffWaitSaysRetryCountAndCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		refused := &apiclient.TransportError{Method: "GET", Path: "/v1/models",
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}}
		var waits []string
		n := 0
		err := sched().Do(context.Background(), queue.Call{Kind: queue.KindRead, Retry: true, OnWait: func(w queue.Wait) {
			if w.Reason == queue.ReasonBackoff {
				waits = append(waits, w.Text)
			}
		}},
			func(ctx context.Context) (apiclient.Meta, error) {
				if n++; n <= 2 {
					return apiclient.Meta{}, refused
				}
				return apiclient.Meta{Status: 200}, nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if len(waits) != 2 {
			t.Fatalf("waits %q, want two", waits)
		}
		for i, w := range waits {
			want := fmt.Sprintf("retrying (%d/8) in ", i+2)
			if !strings.HasPrefix(w, want) || !strings.HasSuffix(w, ": connection refused") {
				t.Errorf("wait %d: %q, want %q…: connection refused", i, w, want)
			}
		}
	})
}
