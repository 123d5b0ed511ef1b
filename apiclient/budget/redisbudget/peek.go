package redisbudget

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Peek reports the shared budget of the limiter URL's organization (its
// ?org=, else defaultOrg) for a reader that does not submit, such as
// `abtop status`: it counts the live submitters without joining them (a
// Store would count itself and shrink everyone's share) and disconnects.
// An empty limiter is (nil, nil): the budget is in-process. Bad URLs,
// hosts that do not resolve and authentication failures are errors, as in
// New; an unreachable Redis is a Status with Connected false.
func Peek(ctx context.Context, limiter, defaultOrg string) (*Status, error) {
	limiter = strings.TrimSpace(limiter)
	if limiter == "" {
		return nil, nil
	}
	raw, org, err := splitOrg(limiter)
	if err != nil {
		return nil, err
	}
	if org == "" {
		org = defaultOrg
	}
	if err := checkOrg(org); err != nil {
		return nil, err
	}
	ro, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	rdb := redis.NewClient(ro)
	defer rdb.Close()
	st := &Status{Backend: "redis", URL: Redacted(raw), Org: org}
	ctx, cancel := context.WithTimeout(ctx, ro.DialTimeout+2*ro.ReadTimeout)
	defer cancel()
	now, err := rdb.Time(ctx).Result()
	if err == nil {
		var n int64
		// Peers are scored with the server time they expire at (see
		// heartbeatScript).
		n, err = rdb.ZCount(ctx, peersKey(DefaultKeyPrefix, org), "("+strconv.FormatInt(now.UnixMilli(), 10), "+inf").Result()
		st.Peers = int(n)
	}
	switch {
	case err == nil:
		st.Connected = true
		st.Share = 1 / float64(max(1, st.Peers))
	case isAuthError(err):
		return nil, fmt.Errorf("limiter redis %s: %w: %v", st.URL, ErrAuth, err)
	case isUnknownHost(err):
		return nil, fmt.Errorf("limiter redis %s: host %q not found: %v", st.URL, ro.Addr, err)
	default:
		st.Error = err.Error()
	}
	return st, nil
}
