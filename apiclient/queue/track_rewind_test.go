package queue

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
)

// midReadLister: while a list read is in flight, a late create answer is
// indexed (as a create's answer would be, under q.mu), and the page moves
// the cursor past that job's last change.
type midReadLister struct {
	noAPI
	q    *Queue
	late Job
	page apiclient.JobPage
}

func (l *midReadLister) ListJobsPage(ctx context.Context, p apiclient.ListJobsParams) (apiclient.JobPage, apiclient.Meta, error) {
	l.q.mu.Lock()
	l.q.trk.index(l.late)
	l.q.mu.Unlock()
	return l.page, apiclient.Meta{}, nil
}

// A job that enters tracking while a list read is in flight is still read
// from its own time by the next read, although that read's end moved the
// cursor past it.
func TestRewindSurvivesAListReadInFlight(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	q := newResumeQueue(t, j, Owner{})
	base := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	l := &midReadLister{q: q,
		late: Job{Key: "late", JobID: "j-late", State: StateCreated, ServerUpdated: base.Add(2 * time.Second)},
		page: apiclient.JobPage{Data: []apiclient.Job{{ID: "someone-else", Status: "running", UpdatedAt: base.Add(12 * time.Second)}}}}
	q.opts.API = l
	q.trk.cursor = base.Add(10 * time.Second)
	if err := q.listChanges(context.Background(), tickPlan{list: true, since: q.trk.cursor}); err != nil {
		t.Fatal(err)
	}
	q.jobs["late"] = &l.late
	p := q.planTick(base.Add(20 * time.Second))
	if !p.list || p.since.After(l.late.ServerUpdated) {
		t.Fatalf("next read from %v (list %v): the late job's time %v is lost", p.since.Sub(base), p.list, l.late.ServerUpdated.Sub(base))
	}
	if p := q.planTick(base.Add(25 * time.Second)); !p.since.Equal(q.trk.cursor) {
		t.Errorf("the read after it starts at %v, want the cursor %v again (one rewind, once)", p.since.Sub(base), q.trk.cursor.Sub(base))
	}
}
