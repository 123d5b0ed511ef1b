package redisbudget

import "github.com/abtop-dev/abtop/caps"

// capsCarried is what this process reserved against the user's caps, net
// of what it released, while it decided alone: the local share started
// from the shared usage (capBase, set when the store degraded), so the
// difference is this process's own. reconnect adds it to the shared usage
// in the same update that hands back its units in flight; without it,
// every cap reservation made during an outage would be forgotten and
// another process could spend it again. Zero when not degraded (a
// reconcile of a connected store carries nothing). Caller holds s.mu.
func (f *fallback) capsCarried() caps.Delta {
	if !f.degraded {
		return caps.Delta{}
	}
	return caps.Since(f.capBase, f.local.CapUsage)
}
