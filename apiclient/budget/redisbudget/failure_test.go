package redisbudget

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/internal/redistest"
)

// spend makes s reserve and settle n units at now, failing if any is refused.
func spend(t *testing.T, s *Store, now time.Time, n int) {
	t.Helper()
	for i := range n {
		g, err := s.Reserve(bg, budget.Request{Now: now, Cost: 1})
		if err != nil || !g.OK {
			t.Fatalf("unit %d: %+v, %v", i, g, err)
		}
		if err := s.Observe(bg, budget.Observation{Sent: now, Received: now, Settle: 1}); err != nil {
			t.Fatal(err)
		}
	}
}

func allConnected(ss []*Store) bool {
	for _, s := range ss {
		if !s.Status().Connected {
			return false
		}
	}
	return true
}

// TestRedisRestartMidBatch: Redis dies (losing everything) and comes back
// on the same port in the middle of a window. The processes decide locally
// meanwhile, reconnect by themselves, and the window as a whole still never
// grants more than the server left.
func TestRedisRestartMidBatch(t *testing.T) {
	srv := startRedis(t)
	ss := threeProcesses(t, srv.URL(), "acme")
	learn(t, ss[0], t0, 30, 29, 2*time.Second)
	now := t0.Add(10 * time.Millisecond)
	// Views of different ages: process 2 saw the most recent remaining.
	spend(t, ss[0], now, 2)
	spend(t, ss[1], now, 3)
	spend(t, ss[2], now, 4)
	granted := int64(1 + 2 + 3 + 4)
	eventually(t, 2*time.Second, "every process to count 3 peers", func() bool {
		return ss[0].Status().Peers == 3 && ss[1].Status().Peers == 3 && ss[2].Status().Peers == 3
	})

	srv.Restart()
	granted += hammer(t, ss, now) // Redis data gone: local shares, or a recreated state
	eventually(t, 3*time.Second, "all 3 processes to reconnect", func() bool { return allConnected(ss) })
	granted += hammer(t, ss, now) + hammer(t, ss, t0.Add(1900*time.Millisecond))
	if granted > 30 {
		t.Fatalf("window with a Redis restart: granted %d, more than the limit 30", granted)
	}
	if granted < 24 {
		t.Errorf("window with a Redis restart: granted only %d of 30 (too conservative)", granted)
	}
	// Nothing stays counted in flight after everything settled, so the
	// next window is whole again.
	eventually(t, 2*time.Second, "nothing in flight once every process reconciled", func() bool {
		st, err := ss[0].Snapshot(bg)
		return err == nil && st.InFlight == 0
	})
	w2 := hammer(t, ss, t0.Add(2*time.Second+budget.ResetMargin)) + hammer(t, ss, t0.Add(3900*time.Millisecond))
	if w2 != 30 {
		t.Fatalf("window after the restart: granted %d, want the full 30", w2)
	}
	t.Logf("window with a restart: %d of 30 granted; next window %d", granted, w2)
}

// TestDegradedShareIsConservative: with Redis gone, each process spends at
// most its share (limit ÷ peers, less what it already spent this window),
// never the full rate, and Status says so.
func TestDegradedShareIsConservative(t *testing.T) {
	srv := startRedis(t)
	ss := threeProcesses(t, srv.URL(), "acme")
	learn(t, ss[0], t0, 30, 29, 2*time.Second)
	now := t0.Add(10 * time.Millisecond)
	eventually(t, 2*time.Second, "every process to count 3 peers", func() bool {
		return ss[0].Status().Peers == 3 && ss[1].Status().Peers == 3 && ss[2].Status().Peers == 3
	})
	for _, s := range ss {
		if _, err := s.Snapshot(bg); err != nil { // each has seen the window
			t.Fatal(err)
		}
	}
	srv.Stop()

	got := hammer(t, ss, now) + hammer(t, ss, t0.Add(1900*time.Millisecond))
	// Shares: 10 each, process 0 already spent 1.
	if got > 29 {
		t.Fatalf("3 degraded processes granted %d, more than the 29 left", got)
	}
	t.Logf("degraded window: %d of 29 granted", got)
	for i, s := range ss {
		st := s.Status()
		if st.Connected || st.Peers != 3 || !strings.HasPrefix(st.String(), "redis unreachable, local share 1/3") {
			t.Errorf("process %d: status %q, want degraded with a 1/3 share", i, st)
		}
	}
	// A whole new window while degraded: still a third each.
	w2 := hammer(t, ss, t0.Add(2*time.Second+budget.ResetMargin)) + hammer(t, ss, t0.Add(3900*time.Millisecond))
	if w2 > 30 || w2 < 27 {
		t.Fatalf("degraded next window: %d granted, want about 3 × 10 of 30", w2)
	}
}

// TestUnreachableAtStart: New does not fail when Redis is down (the batch
// can run at a cautious local share) and connects once Redis is up.
func TestUnreachableAtStart(t *testing.T) {
	srv := startRedis(t)
	srv.Stop()
	s := newStore(t, srv.URL(), "acme", testOptions(budget.PlanNamed("pro")))
	st := s.Status()
	if st.Connected || st.Peers != 2 || !strings.Contains(st.Error, "unreachable at start") {
		t.Fatalf("status %+v, want degraded, assuming 2 peers, saying unreachable at start", st)
	}
	if g, err := s.Reserve(bg, budget.Request{Now: t0, Cost: 1}); err != nil || !g.OK {
		t.Fatalf("degraded Reserve: %+v, %v", g, err)
	}
	srv.Restart()
	eventually(t, 3*time.Second, "store to connect once Redis is up", func() bool { return s.Status().Connected })
	// The grant made locally is now counted in Redis, in flight.
	shared, err := s.Snapshot(bg)
	if err != nil || shared.InFlight != 1 {
		t.Fatalf("shared state after connecting: in flight %d (%v), want the 1 local grant", shared.InFlight, err)
	}
}

func TestNewRejectsBadURLsAndAuth(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{Password: "s3cret"})
	host := srv.Addr()
	cases := []struct {
		name, url, org, want string
	}{
		{"empty URL", "", "acme", "limiter URL is empty"},
		{"no scheme", host, "acme", "redis"},
		{"http scheme", "http://" + host, "acme", `scheme "http" is not supported`},
		{"no host", "redis:///0", "acme", "has no host"},
		{"bad db", "redis://" + host + "/x", "acme", "invalid database"},
		{"unknown option", "redis://" + host + "/0?bogus=1", "acme", "bogus"},
		{"empty org", srv.URL(), "", "organization name is empty"},
		{"org with braces", srv.URL(), "a}b", "must not contain braces"},
		{"wrong password", "redis://:nope@" + host + "/0", "acme", "authentication failed"},
		{"missing password", "redis://" + host + "/0", "acme", "authentication failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(context.Background(), tc.url, tc.org, testOptions(budget.PlanNamed("pro")))
			if err == nil {
				s.Close()
				t.Fatalf("New(%q) succeeded, want an error containing %q", tc.url, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New(%q) = %v, want it to mention %q", tc.url, err, tc.want)
			}
			if strings.Contains(err.Error(), "nope") || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows a password: %v", err)
			}
		})
	}
	t.Run("unknown host", func(t *testing.T) {
		var de *net.DNSError
		if _, err := net.LookupHost("no-such-host.invalid"); !errors.As(err, &de) || !de.IsNotFound {
			t.Skipf("this machine's resolver does not answer NXDOMAIN for .invalid (%v)", err)
		}
		_, err := New(context.Background(), "redis://no-such-host.invalid:6379/0", "acme", testOptions(budget.PlanNamed("pro")))
		if err == nil || !strings.Contains(err.Error(), `host "no-such-host.invalid:6379" not found`) {
			t.Errorf("unknown host: %v", err)
		}
	})
	var err error
	if _, err = New(context.Background(), "redis://:nope@"+host+"/0", "acme", Options{}); !errors.Is(err, ErrAuth) {
		t.Errorf("wrong password: %v, want errors.Is ErrAuth", err)
	}
	s := newStore(t, srv.URL(), "acme", testOptions(budget.PlanNamed("pro")))
	if !s.Status().Connected {
		t.Errorf("right password: %s", s.Status())
	}
}
