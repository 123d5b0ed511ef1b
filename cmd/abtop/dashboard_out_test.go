package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/download"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/sandbox"
	"github.com/abtop-dev/abtop/tui/data"
)

// A file loaded in the dashboard, with out: set: its rows move created →
// running → succeeded from the queue's own events (no list read but
// tracking's), and each output file is downloaded into DIR/<file>-<time>/,
// reported as queued then verified at a path on disk, with download
// counters that end with every file done.
func TestDashboardRowsAndFilesFromEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shift := 26 * 365 * 24 * time.Hour // the bubble starts in 2000; reset headers want 2026
		now := func() time.Time { return time.Now().Add(shift) }
		sb, err := sandbox.New(sandbox.Options{Now: now, Seed: 3, JobTimeScale: 0.2, Window: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: sandbox.PlanEnterprise, Credits: 1e5})
		if err != nil {
			t.Fatal(err)
		}
		hc, base, stop := sb.ServeInMemory()
		defer stop()
		c, err := apiclient.New(apiclient.Options{BaseURL: base, Token: tok, HTTPClient: hc, Now: now, AllowInsecureHTTP: true})
		if err != nil {
			t.Fatal(err)
		}
		j, err := queue.OpenJournal(filepath.Join(t.TempDir(), "queue.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		store := budget.NewMemory(budget.PlanNamed("enterprise"))
		q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: queue.NewScheduler(queue.Options{Store: store, Now: now}), API: c, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		models, _, err := c.Models(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		out := t.TempDir()
		a := newQueueAdapter(ctx, q, store, &monitorAdapter{models: models}, out)
		a.out.fetcher = &download.Fetcher{Client: hc}
		stopped := make(chan struct{}, 2)
		go func() { _ = q.Run(ctx, false); stopped <- struct{}{} }()
		go func() { _ = q.Follow(ctx); stopped <- struct{}{} }()

		file := filepath.Join(t.TempDir(), "kites.jsonl")
		lines := `{"model":"flux-schnell","input":{"prompt":"a kite","num_images":2}}` + "\n" + `{"model":"flux-schnell","input":{"prompt":"a boat"}}` + "\n"
		if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
			t.Fatal(err)
		}
		if n, err := a.LoadFile(ctx, file); err != nil || n != 2 {
			t.Fatalf("LoadFile: %d, %v", n, err)
		}
		rank := map[data.State]int{data.StatePending: 0, data.StateSending: 1, data.StateCreated: 2, data.StateRunning: 3, data.StateSucceeded: 4}
		states := map[string][]data.State{}
		files := map[string]data.Output{} // key#index → last news
		var dl data.Downloads
		for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); {
			var e data.Event
			select {
			case e = <-a.Events():
			case <-time.After(time.Second):
			}
			if e.Job != nil {
				states[e.Job.Key] = append(states[e.Job.Key], e.Job.State)
			}
			if f := e.File; f != nil {
				files[f.Key+"#"+string(rune('0'+f.Index))] = f.Output
			}
			if e.Downloads != nil {
				dl = *e.Downloads
			}
			if dl.FilesTotal == 3 && dl.FilesDone == 3 && len(files) == 3 {
				break
			}
		}
		if len(states) != 2 {
			t.Fatalf("rows of %d jobs moved, want 2: %v", len(states), states)
		}
		for k, ss := range states {
			for i := 1; i < len(ss); i++ {
				if rank[ss[i]] < rank[ss[i-1]] {
					t.Errorf("job %s went %v: backwards", k, ss)
				}
			}
			if ss[len(ss)-1] != data.StateSucceeded || !contains(ss, data.StateCreated) {
				t.Errorf("job %s went %v, want through created to succeeded", k, ss)
			}
		}
		if dl.FilesDone != 3 || dl.FilesInFlight != 0 || dl.BytesDone <= 0 || dl.Dir != out {
			t.Fatalf("downloads ended at %+v, want 3 files done in %s", dl, out)
		}
		for k, f := range files {
			if f.Status != data.FileVerified || !strings.HasPrefix(f.Abs, filepath.Join(out, "kites-")) {
				t.Errorf("%s: %+v, want verified under %s/kites-…", k, f, out)
				continue
			}
			if fi, err := os.Stat(f.Abs); err != nil || fi.Size() != f.Bytes {
				t.Errorf("%s: %v on disk, want %d bytes", f.Abs, err, f.Bytes)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(f.Abs), results.ManifestName)); err != nil {
				t.Errorf("no manifest beside %s: %v", f.Abs, err)
			}
		}
		// a job added with the form downloads into DIR/added, named by its id
		if err := a.Enqueue(ctx, data.Spec{Model: "flux-schnell", Input: []byte(`{"prompt":"a lone gull"}`)}); err != nil {
			t.Fatal(err)
		}
		var added data.Output
		for deadline := time.Now().Add(5 * time.Minute); added.Status != data.FileVerified && time.Now().Before(deadline); {
			select {
			case e := <-a.Events():
				if e.File != nil && strings.Contains(e.File.Output.Abs, "added") {
					added = e.File.Output
				}
			case <-time.After(time.Second):
			}
		}
		if dir, name := filepath.Split(added.Abs); added.Status != data.FileVerified || dir != filepath.Join(out, "added")+string(filepath.Separator) || !strings.HasPrefix(name, "flux-schnell-job_") {
			t.Errorf("the added job's file: %+v, want verified as %s/flux-schnell-job_…", added, filepath.Join(out, "added"))
		}
		// every list read the sandbox served was tracking's: nothing lists
		// jobs per poll any more
		if st, ts := sb.Stats(), q.TrackStats(); st.ListReads != int64(ts.ListReads) {
			t.Errorf("sandbox served %d list reads, tracking made %d", st.ListReads, ts.ListReads)
		}
		// and they count as the dashboard's own requests, once
		reads := trackingReads(q)
		if n, ts := reads(ctx), q.TrackStats(); n != ts.ListReads+ts.GetReads || n == 0 || reads(ctx) != 0 {
			t.Errorf("tracking reads counted %d, want %d once", n, ts.ListReads+ts.GetReads)
		}
		cancel()
		<-stopped
		<-stopped
		a.out.close()
	})
}

func contains(ss []data.State, s data.State) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
