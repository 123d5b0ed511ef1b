package results_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/download"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/sandbox"
)

// The queue's tracking feeds the batch: every succeeded job's files land
// verified, fresh links come through the queue (its scheduler), and a
// second run over the same journal (no events, no links) skips them all.
func TestFollowQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sb, err := sandbox.New(sandbox.Options{Now: now, Seed: 9, JobTimeScale: 0.2, Window: 2 * time.Second,
			Faults: sandbox.Faults{sandbox.FaultFileExpired: 0.2, sandbox.FaultFileCut: 0.1}})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, _ := sb.Bootstrap(sandbox.OrgOptions{Plan: sandbox.PlanEnterprise, Credits: 1e5})
		hc, base, stop := sb.ServeInMemory()
		defer stop()
		api, _ := apiclient.New(apiclient.Options{BaseURL: base, Token: tok, HTTPClient: hc, Now: now, Timeout: 5 * time.Second})
		jpath := filepath.Join(t.TempDir(), "queue.db")
		open := func() (*queue.Queue, *queue.Journal) {
			j, err := queue.OpenJournal(jpath)
			if err != nil {
				t.Fatal(err)
			}
			sched := queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("team")), Now: now})
			q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: sched, API: api, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			return q, j
		}
		q, j := open()
		const n = 20
		var nj []queue.NewJob
		for i := range n {
			in, _ := json.Marshal(map[string]any{"prompt": fmt.Sprint("p", i), "ref": fmt.Sprint("r", i), "num_images": 1 + i%3})
			nj = append(nj, queue.NewJob{Model: "flux-schnell", Input: in, Credits: 1, Line: i + 1})
		}
		added, err := q.Enqueue(nj...)
		if err != nil {
			t.Fatal(err)
		}
		enq := added[0].Enqueued
		inBatch := func(j queue.Job) bool { return j.Enqueued.Equal(enq) }

		dir := t.TempDir()
		opts := results.Options{Dir: dir, Fetcher: &download.Fetcher{Client: hc}, Refresh: results.QueueRefresh(q)}
		b, err := results.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		events, unsub := q.Subscribe(1024)
		done := make(chan struct{})
		go func() { defer close(done); results.Follow(events, b, inBatch) }()
		if err := q.Finish(context.Background()); err != nil {
			t.Fatal(err)
		}
		unsub()
		<-done
		results.Reconcile(q.List(), b, inBatch)
		s, err := b.Close(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		files := 0
		for i := range n {
			files += 1 + i%3
		}
		if s.Lines != n || s.ByStatus["succeeded"] != n || s.Files != files || results.ExitCode(s.Outcome()) != 0 {
			t.Fatalf("summary %+v", s)
		}
		es := readManifest(t, dir)
		for i, e := range es {
			if e.Line != i+1 || e.JobID == "" || e.FinishedAt == nil || e.Credits <= 0 {
				t.Errorf("manifest line %d: %+v", i+1, e)
			}
		}
		st := sb.Stats()
		if st.FileRequestsWithAuthorization != 0 || st.DuplicateJobs != 0 || st.Faults["file_expired"] == 0 {
			t.Errorf("stats %+v", st)
		}
		j.Close()

		// Another day: the journal only. Everything is on disk already.
		q, j = open()
		defer j.Close()
		gets := sb.Stats().GetReads
		opts.Refresh = results.QueueRefresh(q)
		b, err = results.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		results.Reconcile(q.List(), b, inBatch)
		s, err = b.Close(context.Background())
		if err != nil || s.Files != files || s.FilesSkipped != files || sb.Stats().GetReads != gets {
			t.Errorf("re-run: summary %+v, %d GETs", s, sb.Stats().GetReads-gets)
		}
	})
}
