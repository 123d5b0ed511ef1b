// Package cadence is the one rule for how often abtop polls on its own:
// the configured interval, slowed when the rate budget is short so a
// monitor never competes with the user's own jobs. The dashboard and
// "abtop watch" both follow it; it imports nothing of the queue or the
// session, so the TUI may use it too.
package cadence

import "time"

// Next is the wait before the next poll. fraction is what is left of the
// binding rate limit, remaining/limit in [0, 1], or negative when unknown.
func Next(base time.Duration, fraction float64) time.Duration {
	switch {
	case fraction >= 0 && fraction < 0.10:
		return base * 4
	case fraction >= 0 && fraction < 0.25:
		return base * 2
	}
	return base
}
