package redisbudget

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/internal/redistest"
)

// testOptions are short enough that peers, leases and reconnection happen
// within a few hundred milliseconds, and patient enough for -race on a
// loaded 2-core machine.
func testOptions(p budget.Plan) Options {
	return Options{
		Plan:           p,
		HeartbeatEvery: 40 * time.Millisecond,
		PeerTTL:        200 * time.Millisecond,
		OpTimeout:      2 * time.Second,
	}
}

// patientURL raises the per-command timeouts so a slow CI machine does not
// degrade a store in the middle of a contract test.
func patientURL(u string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "read_timeout=1s&write_timeout=1s&dial_timeout=1s&pool_timeout=1s"
}

func newStore(t *testing.T, url, org string, o Options) *Store {
	t.Helper()
	s, err := New(context.Background(), url, org, o)
	if err != nil {
		t.Fatalf("New(%s, %q): %v", Redacted(url), org, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// eventually polls cond every 10 ms for up to d (real time: Redis TTLs and
// heartbeats run on the server's clock, which no fake clock moves).
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func startRedis(t *testing.T) *redistest.Server {
	t.Helper()
	return redistest.Start(t, redistest.Options{})
}
