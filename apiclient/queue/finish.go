package queue

import (
	"context"
	"errors"
)

// Finish sends every unfinished job and follows every created one to its
// end, sending reruns as they appear. It returns nil once every job is
// final, the error that stopped sending (a *BlockedError: credits, auth;
// the queue is paused), or ctx's error.
func (q *Queue) Finish(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tracked := make(chan error, 1)
	go func() { tracked <- q.Track(ctx) }()
	// stop ends tracking and adds what stopped it, unless that was us.
	stop := func(err error) error {
		cancel()
		if terr := <-tracked; terr != nil && !errors.Is(terr, context.Canceled) {
			return errors.Join(err, terr)
		}
		return err
	}
	for {
		if q.Unfinished() > 0 {
			if err := q.Run(ctx, true); err != nil {
				return stop(err)
			}
		}
		select {
		case err := <-tracked:
			return err
		case <-q.trk.sendCh: // a rerun waits to be sent
		case <-ctx.Done():
			return stop(ctx.Err())
		}
	}
}
