package redisbudget

import "github.com/abtop-dev/abtop/apiclient/budget"

var (
	_ budget.Sharer = (*Store)(nil)
	_ budget.Clock  = (*Store)(nil)
)

// Sharing is Status as budget.Sharer reports it.
func (s *Store) Sharing() budget.Sharing {
	st := s.Status()
	return budget.Sharing{Shared: true, Degraded: !st.Connected, Peers: st.Peers, Org: st.Org, Text: st.String(), Detail: st}
}
