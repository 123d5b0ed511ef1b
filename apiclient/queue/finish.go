package queue

import "context"

// Finish sends every unfinished job and follows every created one to its
// end, sending reruns as they appear. It returns nil once every job is
// final, the error that stopped sending (a *BlockedError: credits, auth;
// the queue is paused), or ctx's error.
func (q *Queue) Finish(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tracked := make(chan error, 1)
	go func() { tracked <- q.Track(ctx) }()
	for {
		if q.Unfinished() > 0 {
			if err := q.Run(ctx, true); err != nil {
				cancel()
				<-tracked
				return err
			}
		}
		select {
		case err := <-tracked:
			return err
		case <-q.trk.sendCh: // a rerun waits to be sent
		case <-ctx.Done():
			<-tracked
			return ctx.Err()
		}
	}
}
