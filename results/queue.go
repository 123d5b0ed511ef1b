package results

import (
	"context"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
)

// FromQueue is the Finished of a queue job at a final state. files are
// the event's links when it carried them (queue.Event.Files); without
// them the journal's output metadata stands in, links to be fetched by
// Refresh for files not on disk yet.
func FromQueue(j queue.Job, files []apiclient.OutputFile) (Finished, bool) {
	if !j.State.Final() {
		return Finished{}, false
	}
	f := Finished{Key: j.Key, Line: j.Line, Retry: j.Rerun, Model: j.Model, Input: j.Input, JobID: j.JobID,
		Status: string(j.State), Credits: j.Charged, FinishedAt: j.Finished, Attempts: j.Attempts}
	if j.State == queue.StateSucceeded {
		f.Files = files
		if len(f.Files) != len(j.Outputs) {
			f.Files = make([]apiclient.OutputFile, len(j.Outputs))
			for i, o := range j.Outputs {
				f.Files[i] = apiclient.OutputFile{Slot: o.Slot, Index: o.Index,
					File: apiclient.File{ContentType: o.ContentType, SizeBytes: o.SizeBytes, SHA256: o.SHA256}}
			}
		}
	}
	if p := j.Problem; p != nil {
		msg := p.Detail
		if msg == "" {
			msg = p.Title
		}
		f.Problem = &Problem{Code: p.Code, Message: msg}
	}
	return f, true
}

// PendingOf is the manifest line of a queue job not final yet.
func PendingOf(j queue.Job) Pending {
	return Pending{Key: j.Key, Line: j.Line, Retry: j.Rerun, Model: j.Model, Input: j.Input, JobID: j.JobID, State: string(j.State)}
}

// Follow feeds a queue's events to b until events is closed: a job of the
// batch reaching a final state is added with the event's links; any other
// change updates its pending manifest line.
func Follow(events <-chan queue.Event, b *Batch, inBatch func(queue.Job) bool) {
	for ev := range events {
		if ev.Type != queue.EventJob || !inBatch(ev.Job) {
			continue
		}
		if f, ok := FromQueue(ev.Job, ev.Files); ok {
			b.Add(f)
		} else {
			b.Expect(PendingOf(ev.Job))
		}
	}
}

// Reconcile brings b up to the journal's truth (queue.Queue.List): the
// event hub drops events for a subscriber that falls behind, and a
// resumed batch has no events for what ended before. Jobs already added
// are ignored by Add.
func Reconcile(jobs []queue.Job, b *Batch, inBatch func(queue.Job) bool) {
	for _, j := range jobs {
		if !inBatch(j) {
			continue
		}
		if f, ok := FromQueue(j, nil); ok {
			b.Add(f)
		} else {
			b.Expect(PendingOf(j))
		}
	}
}

// QueueRefresh gets fresh links through the queue (one GET through its
// scheduler and budget, recorded in the journal).
func QueueRefresh(q interface {
	Links(ctx context.Context, key string) ([]apiclient.OutputFile, error)
}) RefreshFunc {
	return func(ctx context.Context, key, _ string) ([]apiclient.OutputFile, error) { return q.Links(ctx, key) }
}
