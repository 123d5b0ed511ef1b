package redisbudget

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// FromConfig builds the budget store the configuration asks for (the
// --limiter flag / "limiter:" profile key, config.Config.Limiter):
//
//   - "" → the in-process budget.Memory (the default); shared is nil.
//   - redis://[user:pass@]host:port/db[?org=NAME] (or rediss://) → a Store
//     shared through Redis, returned twice: as the budget.Store to use and
//     as *Store for Status and Close.
//
// The organization whose budget is shared is the URL's org parameter when
// present, else defaultOrg: every process of one organization must use the
// same name (abtop cannot learn an org id from the API). Errors name the
// problem with the password masked.
func FromConfig(ctx context.Context, limiter, defaultOrg string, plan budget.Plan, opts Options) (store budget.Store, shared *Store, err error) {
	limiter = strings.TrimSpace(limiter)
	if limiter == "" {
		return budget.NewMemory(plan), nil, nil
	}
	raw, org, err := splitOrg(limiter)
	if err != nil {
		return nil, nil, err
	}
	if org == "" {
		org = defaultOrg
	}
	opts.Plan = plan
	s, err := New(ctx, raw, org, opts)
	if err != nil {
		return nil, nil, err
	}
	return s, s, nil
}

// splitOrg takes the org parameter (abtop's, unknown to go-redis) out of a
// limiter URL.
func splitOrg(raw string) (rest, org string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("limiter URL %q is not a URL: want redis://[user:pass@]host:port/db", Redacted(raw))
	}
	q := u.Query()
	if !q.Has("org") {
		return raw, "", nil
	}
	org = q.Get("org")
	if org == "" {
		return "", "", fmt.Errorf("limiter URL %q: org= is empty", u.Redacted())
	}
	q.Del("org")
	u.RawQuery = q.Encode()
	return u.String(), org, nil
}
