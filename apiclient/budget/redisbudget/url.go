package redisbudget

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/secret"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Default network timeouts. A budget decision that waits on a slow Redis
// stalls every request of the batch, so they are short: past them the store
// degrades to its conservative local share instead of waiting. A query
// parameter in the URL (dial_timeout=, read_timeout=, …) overrides them.
const (
	DefaultDialTimeout = 300 * time.Millisecond
	DefaultIOTimeout   = 250 * time.Millisecond
)

// ParseURL turns redis://[user:pass@]host:port/db (or rediss:// for TLS)
// into client options with abtop's short timeouts. Errors name the problem
// and show the URL with its password masked, never in full.
func ParseURL(raw string) (*redis.Options, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("limiter URL is empty: want redis://[user:pass@]host:port/db")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("limiter URL %q is not a URL: want redis://[user:pass@]host:port/db", secret.RedactURL(raw))
	}
	shown := u.Redacted()
	switch u.Scheme {
	case "redis", "rediss":
	case "":
		return nil, fmt.Errorf("limiter URL %q has no scheme: want redis://[user:pass@]host:port/db", shown)
	default:
		return nil, fmt.Errorf("limiter URL %q: scheme %q is not supported: want redis:// or rediss://", shown, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("limiter URL %q has no host: want redis://[user:pass@]host:port/db", shown)
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		// go-redis errors may quote the URL verbatim: say what is wrong
		// without repeating the password.
		return nil, fmt.Errorf("limiter URL %q: %s", shown, strings.ReplaceAll(err.Error(), raw, shown))
	}
	q := u.Query()
	if !q.Has("dial_timeout") {
		opts.DialTimeout = DefaultDialTimeout
	}
	if !q.Has("read_timeout") {
		opts.ReadTimeout = DefaultIOTimeout
	}
	if !q.Has("write_timeout") {
		opts.WriteTimeout = DefaultIOTimeout
	}
	if !q.Has("pool_timeout") {
		opts.PoolTimeout = DefaultDialTimeout
	}
	if !q.Has("dialer_retries") {
		opts.DialerRetries = 1 // go-redis would otherwise dial 5 times, 100 ms apart
	}
	if !q.Has("max_retries") {
		// The store retries by falling back and reconnecting on its own;
		// client retries would only multiply the time a caller waits.
		opts.MaxRetries = -1
	}
	if !q.Has("protocol") {
		opts.Protocol = 2 // plain RESP2: works with every Redis ≥ 2.6 and compatible servers
	}
	opts.DisableIdentity = true // no CLIENT SETINFO: older servers reject it
	// No maintenance push notifications: they need RESP3 and only serve
	// Redis Cloud upgrades; probing for them costs a round trip per dial.
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return opts, nil
}

// Redacted returns the URL with any password replaced by xxxxx, for
// messages (secret.RedactURL: one rule for every URL abtop shows).
func Redacted(raw string) string { return secret.RedactURL(raw) }
