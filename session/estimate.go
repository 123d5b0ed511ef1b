package session

import (
	"context"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/jobfile"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/estimate"
)

// Estimate prices parsed jobs (models from Models, the dry run's first
// read) and checks them against the limits one GET /v1/balance states (its
// second and last read; nothing is written): the rate window, the monthly
// quota and the credits from its headers, the concurrency and the others'
// share from the budget store.
func (s *Session) Estimate(ctx context.Context, parsed []jobfile.Job, models []apiclient.Model) (estimate.Estimate, estimate.Limits, error) {
	var meta apiclient.Meta
	var bal apiclient.Balance
	err := s.Scheduler.Do(ctx, queue.Call{Kind: queue.KindRead, Retry: true}, func(ctx context.Context) (apiclient.Meta, error) {
		var err error
		bal, meta, err = s.Client.Balance(ctx)
		return meta, err
	})
	if err != nil {
		return estimate.Estimate{}, estimate.Limits{}, err
	}
	l := estimate.FromSnapshot(meta.Snapshot)
	if l.Credits == nil {
		c := bal.Credits // the body states it when the headers do not
		l.Credits = &c
	}
	if st, err := s.Store.Snapshot(ctx); err == nil {
		l.Concurrency = max(st.ConcurrencyLimit, 0)
	}
	if sh := s.Sharing(); sh.Shared && sh.Peers > 1 {
		l.OthersShare = 1 - 1/float64(sh.Peers)
	}
	jobs := make([]estimate.Job, len(parsed))
	for i, p := range parsed {
		jobs[i] = estimate.Job{Line: p.Line, Model: p.Model}
	}
	return estimate.Compute(jobs, models, l), l, nil
}
