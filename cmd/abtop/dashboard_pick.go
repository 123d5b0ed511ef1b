package main

import (
	"context"
	"os"
	"time"

	live "github.com/abtop-dev/abtop/batches"
	"github.com/abtop-dev/abtop/tui"
	"github.com/abtop-dev/abtop/tui/data"
)

// batchSource is package batches as the dashboard's batch picker sees it:
// the organization's batches that other processes of this machine run or
// ran while the dashboard watched, each one followed on demand.
type batchSource struct {
	dir    string
	recent *live.Recent
}

func newBatchSource(dir, org string) *batchSource {
	return &batchSource{dir: dir, recent: &live.Recent{Dir: dir, Org: org, Self: os.Getpid()}}
}

func (s *batchSource) Batches(context.Context) ([]data.Batch, error) {
	list, err := s.recent.List(time.Now())
	if err != nil {
		return nil, err
	}
	out := make([]data.Batch, len(list))
	for i, b := range list {
		out[i] = data.Batch{ID: b.ID, Source: b.Source, State: b.State, PID: b.PID,
			Finished: b.Counts.Finished, Total: b.Counts.Total, Alive: b.Alive}
	}
	return out, nil
}

func (s *batchSource) Follow(ctx context.Context, id string) tui.Queue {
	return followBatch(ctx, live.FollowID(s.dir, id))
}
