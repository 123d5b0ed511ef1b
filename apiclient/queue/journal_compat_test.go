package queue

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/apiclient/budget"
	bolt "go.etcd.io/bbolt"
)

// testdata/journal-v1.db was written by abtop before the binary records
// (tokenized JSON, the owner in every record, no owner table): a batch of
// two jobs tracked to "succeeded" with their outputs, then one of one job
// left "created" (submit --no-wait). It opens, every job reads back,
// a queue resumes it, and a job written again is stored binary and reads
// back the same.
func TestJournalOfThePreviousFormatResumes(t *testing.T) {
	data, err := os.ReadFile("testdata/journal-v1.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "q.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	jobs, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, job := range jobs {
		states = append(states, string(job.State))
		if job.Owner.Endpoint == "" || !strings.HasPrefix(job.Owner.Org, "sha256:") || job.Enqueued.IsZero() || len(job.Input) == 0 || job.JobID == "" {
			t.Errorf("job %s lost fields: %+v", job.Key, job)
		}
		if job.State == StateSucceeded && (len(job.Outputs) != 1 || len(job.Outputs[0].SHA256) != 64 || job.Finished.IsZero()) {
			t.Errorf("succeeded job %s lost its outputs: %+v", job.Key, job)
		}
	}
	if got := strings.Join(states, " "); got != "succeeded succeeded created" {
		t.Fatalf("states %q, want two succeeded and one created", got)
	}
	if raw := record(t, j, jobs[0].Key); raw[0] != recordCompact {
		t.Fatalf("the fixture's record starts %#x, not the tokenized format", raw[0])
	}

	// A queue of the jobs' owner resumes the created one.
	q := newResumeQueue(t, j, jobs[0].Owner)
	if got := q.List(); len(got) != 3 || !got[2].Active() {
		t.Fatalf("queue holds %+v", got)
	}

	// Written again, a job is binary and unchanged; the journal holds
	// still one record a job.
	if err := j.Put(jobs...); err != nil {
		t.Fatal(err)
	}
	again, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	for i := range jobs {
		if !sameJob(again[i], jobs[i]) {
			t.Errorf("rewritten:\n got %+v\nwant %+v", again[i], jobs[i])
		}
		if raw := record(t, j, jobs[i].Key); raw[0] != recordBinary || bytes.Contains(raw, []byte(jobs[i].Owner.Endpoint)) {
			t.Errorf("record of %s not binary with the owner by number: %q", jobs[i].Key, raw)
		}
	}
	if len(again) != len(jobs) {
		t.Fatalf("%d records after the rewrite, want %d", len(again), len(jobs))
	}
}

// sameJob compares jobs by their instants, not their time zones (the
// fixture's times carry the writer's offset; binary records read as UTC).
func sameJob(a, b Job) bool {
	for _, p := range []*Job{&a, &b} {
		p.Enqueued, p.Updated, p.ServerUpdated = p.Enqueued.UTC(), p.Updated.UTC(), p.ServerUpdated.UTC()
		p.Finished, p.Created = p.Finished.UTC(), p.Created.UTC()
	}
	return reflect.DeepEqual(a, b)
}

func record(t *testing.T, j *Journal, key string) []byte {
	t.Helper()
	var raw []byte
	if err := j.db.View(func(tx *bolt.Tx) error {
		raw = append(raw, tx.Bucket(bucketJobs).Get([]byte(key))...)
		return nil
	}); err != nil || len(raw) == 0 {
		t.Fatalf("record %s: %v", key, err)
	}
	return raw
}

// noAPI is never called: opening a queue sends nothing.
type noAPI struct{ API }

func newResumeQueue(t *testing.T, j *Journal, owner Owner) *Queue {
	t.Helper()
	q, err := Open(QueueOptions{Journal: j, Owner: owner, API: noAPI{},
		Scheduler: NewScheduler(Options{Store: budget.NewMemory(budget.PlanNamed("pro"))})})
	if err != nil {
		t.Fatal(err)
	}
	return q
}
