package queue

import (
	"fmt"
	"time"
)

// DefaultKeep is journal_keep's default: how long a finished batch stays
// in the journal (for `abtop results`, the manifest, the dashboard).
const DefaultKeep = 30 * 24 * time.Hour

// Compact deletes the batches that ended before the given instant and
// returns how many jobs it removed. A batch is the jobs enqueued together
// (one Enqueue call: they share Enqueued); it has ended when every job in
// it is final, and it ended at its last change. A batch with a job still
// to send or still running stays whole, however old.
func (j *Journal) Compact(before time.Time) (int, error) {
	jobs, err := j.Load()
	if err != nil {
		return 0, fmt.Errorf("compacting: %w", err)
	}
	type batch struct {
		keys  []string
		ended time.Time
		live  bool
	}
	batches := map[int64]*batch{}
	for _, job := range jobs {
		id := job.Enqueued.UnixNano()
		b := batches[id]
		if b == nil {
			b = &batch{}
			batches[id] = b
		}
		b.keys = append(b.keys, job.Key)
		b.live = b.live || !job.State.Final()
		if job.Updated.After(b.ended) {
			b.ended = job.Updated
		}
	}
	var gone []string
	for _, b := range batches {
		if !b.live && b.ended.Before(before) {
			gone = append(gone, b.keys...)
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	if err := j.Delete(gone...); err != nil {
		return 0, fmt.Errorf("queue journal %s: compacting: %w", j.path, err)
	}
	return len(gone), nil
}
