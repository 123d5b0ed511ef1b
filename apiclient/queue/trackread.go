package queue

import (
	"context"
	"errors"

	"github.com/abtop-dev/abtop/apiclient"
)

// Tracking's reads: the list of changes (paged), and the GET of one job.

// listChanges reads every change since p.since, page by page.
func (q *Queue) listChanges(ctx context.Context, p tickPlan) error {
	l, ok := q.opts.API.(PageLister)
	if !ok {
		q.refuseList(errNoList)
		return nil
	}
	params := apiclient.ListJobsParams{UpdatedSince: p.since, Limit: apiclient.MaxListLimit}
	newest := p.since
	for range maxPages {
		var page apiclient.JobPage
		err := q.opts.Scheduler.Do(ctx, Call{Kind: KindList, Low: p.low, Retry: true}, func(ctx context.Context) (apiclient.Meta, error) {
			q.count(func(s *TrackStats) { s.ListReads++ })
			var meta apiclient.Meta
			var err error
			page, meta, err = l.ListJobsPage(ctx, params)
			return meta, err
		})
		if err != nil {
			if refused(err) {
				q.refuseList(err)
			}
			break // what was read stands; the cursor moves past it
		}
		for _, g := range page.Data {
			if g.UpdatedAt.After(newest) {
				newest = g.UpdatedAt
			}
		}
		if err := q.absorb(ctx, page.Data); err != nil {
			return err
		}
		q.mu.Lock()
		q.trk.cursor = newest
		q.trk.lastListOK = q.opts.Now()
		q.mu.Unlock()
		if !page.HasMore || page.Next == nil {
			break
		}
		params.After = *page.Next
	}
	return nil
}

// refused: the list answered a 4xx that no retry changes (an API that
// does not know updated_since, a token that may not list).
func refused(err error) bool {
	if errors.Is(err, errNoList) {
		return true
	}
	var ae *apiclient.Error
	return errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && classify(err) == outFail
}

func (q *Queue) refuseList(err error) {
	q.mu.Lock()
	was := q.trk.stats.ListRefused
	q.trk.stats.ListRefused = true
	q.mu.Unlock()
	if !was {
		q.hub.publish(Event{Type: EventProblem, Reason: "tracking: job list refused (" + err.Error() + "); following jobs one GET at a time"})
	}
}

// trackGet asks about one job (GET /v1/jobs/{id}, low priority).
func (q *Queue) trackGet(ctx context.Context, key string) error {
	q.mu.Lock()
	q.trk.asked[key] = q.opts.Now()
	id := q.jobs[key].JobID
	q.mu.Unlock()
	got, err := q.getJob(ctx, id, Call{Kind: KindPoll})
	if err != nil {
		return nil // asked again when its turn comes
	}
	return q.absorb(ctx, []apiclient.Job{got})
}

// getJob is GET /v1/jobs/{id} through the budget, counted.
func (q *Queue) getJob(ctx context.Context, id string, c Call) (apiclient.Job, error) {
	var got apiclient.Job
	err := q.opts.Scheduler.Do(ctx, c, func(ctx context.Context) (apiclient.Meta, error) {
		q.count(func(s *TrackStats) { s.GetReads++ })
		var meta apiclient.Meta
		var err error
		got, meta, err = q.opts.API.GetJob(ctx, id)
		return meta, err
	})
	return got, err
}
