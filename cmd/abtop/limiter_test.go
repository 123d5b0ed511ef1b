package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/apiclient/budget/redisbudget"
	"github.com/abtop-dev/abtop/internal/redistest"
)

// status --limiter shows the submitters sharing the org (and does not count
// itself); submit's peers are real Stores.
func TestStatusLimiter(t *testing.T) {
	rds := redistest.Start(t, redistest.Options{})
	api := &stAPI{reset: "Tue, 24 Nov 2026 19:00:23 GMT", plan: "pro"}
	srv := httptest.NewServer(api)
	defer srv.Close()
	stEnv(t, srv.URL)
	for range 2 {
		st, err := redisbudget.New(context.Background(), rds.URL(), "acme", redisbudget.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
	}
	code, out, errOut := stRun(t, "", "status", "--limiter", rds.URL()+"?org=acme")
	if code != 0 || !strings.Contains(out, "shared via redis · 2 submitters · share 1/2 each") {
		t.Errorf("exit %d, human status:\n%s\nstderr: %s", code, out, errOut)
	}
	code, out, errOut = stRun(t, "", "status", "--json", "--limiter", rds.URL()+"?org=acme")
	var got struct{ Limiter *redisbudget.Status }
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || got.Limiter == nil || !got.Limiter.Connected || got.Limiter.Peers != 2 || got.Limiter.Org != "acme" {
		t.Errorf("exit %d, err %v, limiter %+v; stderr %s", code, err, got.Limiter, errOut)
	}
	// Another org has no submitters.
	_, out, _ = stRun(t, "", "status", "--limiter", rds.URL()+"?org=other")
	if !strings.Contains(out, "no submitter running") {
		t.Errorf("org other:\n%s", out)
	}
}

// Bad limiter URLs and refused passwords stop submit and status at start,
// naming the problem without the password.
func TestLimiterErrorsAtStart(t *testing.T) {
	rds := redistest.Start(t, redistest.Options{Password: "s3cret-pw"})
	api := &stAPI{reset: "Tue, 24 Nov 2026 19:00:23 GMT", plan: "pro"}
	srv := httptest.NewServer(api)
	defer srv.Close()
	stEnv(t, srv.URL)
	wrongPw := "redis://:wrong-pw@" + rds.Addr() + "/0"
	cases := []struct {
		url, want string
	}{
		{wrongPw, "authentication failed"},
		{"redis://:wrong-pw@" + rds.Addr() + "/0?org=", "org= is empty"},
		{"memcache://:wrong-pw@" + rds.Addr(), "not supported"},
	}
	// "not found" needs a resolver that answers NXDOMAIN for .invalid
	// (RFC 6761); some sandboxes time out or fail otherwise instead.
	var de *net.DNSError
	if _, err := net.LookupHost("no-such-host.invalid"); errors.As(err, &de) && de.IsNotFound {
		cases = append(cases, struct{ url, want string }{"redis://:wrong-pw@no-such-host.invalid:6379/0", "not found"})
	} else {
		t.Logf("not checking an unknown host: this machine's resolver does not answer NXDOMAIN for .invalid (%v)", err)
	}
	for _, tc := range cases {
		for _, cmd := range []string{"status", "submit"} {
			code, out, errOut := stRun(t, "", cmd, "--limiter", tc.url)
			if code == 0 || !strings.Contains(errOut, tc.want) || strings.Contains(out+errOut, "wrong-pw") {
				t.Errorf("%s --limiter %s: exit %d, stderr %q; want non-zero, %q, no password", cmd, redisbudget.Redacted(tc.url), code, errOut, tc.want)
			}
		}
	}
}
