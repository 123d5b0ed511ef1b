package statusline

import "time"

// Decision is what a status line does about the state it found.
type Decision int

const (
	// Print: the state is fresh; zero requests.
	Print Decision = iota
	// PrintWatched: stale, but an "abtop watch" keeps it fresh; a request
	// here would only duplicate its poll.
	PrintWatched
	// PrintShort: stale, and the last observation says the rate budget is
	// too short to spend on a status line (what is left is the reserve the
	// scheduler keeps for real work) until its reset.
	PrintShort
	// Refresh: stale and nobody refreshes it; one budgeted request may be
	// made.
	Refresh
)

// lowReserve mirrors the budget's reserve for low-priority calls: a poll
// never takes the last tenth of a window.
const lowReserve = 0.10

// Decide chooses for st (ok: a state exists) at now.
func Decide(st State, ok bool, now time.Time, maxAge time.Duration, watched bool) Decision {
	switch {
	case ok && st.Fresh(now, maxAge):
		return Print
	case watched:
		return PrintWatched
	case ok && st.Limit != nil && st.Remaining != nil && now.Before(st.Reset) &&
		float64(*st.Remaining) <= float64(*st.Limit)*lowReserve:
		return PrintShort
	}
	return Refresh
}
