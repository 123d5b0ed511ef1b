package redisbudget

import (
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

func TestFromConfig(t *testing.T) {
	pro := budget.PlanNamed("pro")
	// No limiter: the in-process store, nothing shared.
	st, shared, err := FromConfig(bg, "", "default", pro, testOptions(pro))
	if err != nil || shared != nil {
		t.Fatalf("empty limiter: %v, shared %v", err, shared)
	}
	if _, ok := st.(*budget.Memory); !ok {
		t.Fatalf("empty limiter gave %T, want *budget.Memory", st)
	}

	srv := startRedis(t)
	st, shared, err = FromConfig(bg, srv.URL()+"?org=acme", "default", pro, testOptions(pro))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shared.Close() })
	if st != budget.Store(shared) || shared.Status().Org != "acme" || !shared.Status().Connected {
		t.Fatalf("redis limiter: store %T, status %+v; want the shared store of org acme, connected", st, shared.Status())
	}

	_, _, err = FromConfig(bg, srv.URL()+"?org=", "default", pro, testOptions(pro))
	if err == nil || !strings.Contains(err.Error(), "org= is empty") {
		t.Errorf("empty org parameter: %v", err)
	}
	_, _, err = FromConfig(bg, "redis://:hunter2@"+srv.Addr()+"/0?org=acme&pool_size=x", "default", pro, testOptions(pro))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad option with a password: %v (want an error without the password)", err)
	}
}

func TestStatusString(t *testing.T) {
	for _, tc := range []struct {
		st   Status
		want string
	}{
		{Status{Connected: true, Peers: 1}, "shared via redis · 1 submitter · share 1/1"},
		{Status{Connected: true, Peers: 3}, "shared via redis · 3 submitters · share 1/3"},
		{Status{Peers: 3, Error: "dial tcp: connection refused"}, "redis unreachable, local share 1/3 (dial tcp: connection refused)"},
		{Status{}, "redis unreachable, local share 1/1"},
	} {
		if got := tc.st.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.st, got, tc.want)
		}
	}
}
