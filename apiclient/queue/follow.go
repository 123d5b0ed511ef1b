package queue

import "context"

// Follow is Track for a queue that lives on (the dashboard): when every
// job is final it waits for the next one to be queued instead of
// returning. It returns ctx's error, or the error that stopped tracking
// (the journal cannot be written).
func (q *Queue) Follow(ctx context.Context) error {
	for {
		if err := q.Track(ctx); err != nil {
			return err
		}
		// Track returned: nothing was active or unsent when it looked.
		// Take the change signal before looking again, so a job queued in
		// between is seen now or wakes the wait.
		q.mu.Lock()
		wake, active := q.changed, len(q.trk.active)
		q.mu.Unlock()
		if active > 0 || q.Unfinished() > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}
