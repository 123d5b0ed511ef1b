package budget

import "time"

// Sharing says how a budget is shared with other processes: what the
// dashboard's header, submit's progress line and summaries show. The zero
// value is a budget this process has alone.
type Sharing struct {
	Shared bool
	// Degraded: the shared backend is out of reach and this process runs
	// at a conservative local share (1/Peers) until it is back.
	Degraded bool
	Peers    int    // processes sharing, this one included (last known while degraded)
	Org      string // the organization whose budget is shared
	// Text is the whole state in one line, e.g. "shared via redis · 3
	// submitters · share 1/3" or "redis unreachable, local share 1/3 (…)".
	Text string
	// Detail is the backend's own status for JSON output (e.g. a
	// redisbudget.Status); nil when alone.
	Detail any
}

// Sharer is a Store shared with other processes. Sharing is cheap (no
// round trip): callers redraw it on every refresh.
type Sharer interface {
	Sharing() Sharing
}

// Clock is a Store that keeps its own reference clock (a shared store
// follows its server's clock so every peer decides on the same instants).
// Every budget decision made against such a store must use its Now.
type Clock interface {
	Now() time.Time
}
