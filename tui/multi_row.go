package tui

import (
	"github.com/abtop-dev/abtop/tui/header"
	"github.com/abtop-dev/abtop/tui/overview"
)

// overviewRow is this profile's line in the overview strip, from what its
// dashboard knows now (the same values its gauges and header show).
func (m *Model) overviewRow() overview.Row {
	r := overview.Row{Profile: m.opts.Profile, Plan: m.usage.Plan, Running: m.running()}
	if rt := m.usage.Rate; rt != nil {
		if l, ok := rt.BindingLimit(); ok && l.Limit != nil && l.Remaining != nil {
			r.Rate = overview.Ratio{Remaining: *l.Remaining, Limit: *l.Limit, Known: true}
		}
	}
	if q := m.usage.Quota; q != nil && q.Q.Limit != nil && q.Q.Remaining != nil {
		r.Quota = overview.Ratio{Remaining: *q.Q.Remaining, Limit: *q.Q.Limit, Known: true}
	}
	if c := m.usage.Credits; c != nil {
		v := c.Value
		r.Credits = &v
	}
	switch m.headerInfo().Conn {
	case header.Live:
		r.Conn = "live"
	case header.Stale:
		r.Conn = "stale"
	case header.Failing:
		r.Conn, r.Problem = "failing", true
	case header.Embargo:
		r.Conn, r.Problem = "paused by server", true
	default:
		r.Conn = "connecting"
	}
	return r
}
