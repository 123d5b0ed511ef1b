package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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

// testDashOut is a dashOut over a temporary directory with no queue: the
// tests below only register jobs and write manifests, nothing downloads.
func testDashOut(t *testing.T) *dashOut {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	return newDashOut(ctx, t.TempDir(), nil, func(data.Event) bool { return true })
}

func pendingJobs(at time.Time, keys ...string) []queue.Job {
	jobs := make([]queue.Job, len(keys))
	for i, k := range keys {
		jobs[i] = queue.Job{Key: k, Line: i + 1, Model: "sdxl", Input: []byte(`{"prompt":"p"}`), State: queue.StatePending, Enqueued: at}
	}
	return jobs
}

// manifestKeys returns the keys of DIR/manifest.jsonl's lines, in order.
func manifestKeys(t *testing.T, dir string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, results.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for line := range strings.Lines(string(raw)) {
		var e results.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%s: %v: %q", dir, err, line)
		}
		keys = append(keys, e.Key)
	}
	return keys
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// Jobs added with the form at the same moment share one batch in
// DIR/added: two batches opened there would write one manifest.jsonl (the
// last rewrite keeping only its own lines) and clean each other's
// temporary files. Before the fix two of eight concurrent adds opened a
// batch each in about two rounds of three; ten rounds fail reliably.
func TestDashOutTypedAddsShareOneBatch(t *testing.T) {
	const rounds, n = 10, 8
	at := time.Date(2026, 11, 30, 0, 15, 0, 0, time.Local)
	for r := range rounds {
		o := testDashOut(t)
		var all []queue.Job
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		for i := range n {
			jobs := pendingJobs(at.Add(time.Duration(i)), fmt.Sprintf("k%d", i))
			jobs[0].Line = 0 // a typed job has no line
			all = append(all, jobs...)
			wg.Go(func() { <-start; errs[i] = o.typed(jobs) })
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		o.reconcile(all)
		o.close()
		if got := dirNames(t, o.dir); !slices.Equal(got, []string{"added"}) {
			t.Fatalf("round %d: directories %v, want [added]", r, got)
		}
		keys := manifestKeys(t, filepath.Join(o.dir, "added"))
		slices.Sort(keys)
		if want := []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}; !slices.Equal(keys, want) {
			t.Fatalf("round %d: DIR/added's manifest has %v, want %v (%d batches opened)", r, keys, want, len(o.batches))
		}
	}
}

// A file loaded twice within one second gets two directories, the second
// with a suffix, each with the whole manifest of its own load.
func TestDashOutLoadsWithinOneSecond(t *testing.T) {
	o := testDashOut(t)
	at := time.Date(2026, 11, 30, 0, 15, 0, 0, time.Local)
	path := filepath.Join(t.TempDir(), "kites.jsonl")
	if err := o.loaded(path, pendingJobs(at, "a1", "a2")); err != nil {
		t.Fatal(err)
	}
	if err := o.loaded(path, pendingJobs(at.Add(300*time.Millisecond), "b1", "b2")); err != nil {
		t.Fatal(err)
	}
	o.close()
	first, second := "kites-20261130-001500", "kites-20261130-001500-2"
	if got := dirNames(t, o.dir); !slices.Equal(got, []string{first, second}) {
		t.Fatalf("directories %v, want [%s %s]", got, first, second)
	}
	if got := manifestKeys(t, filepath.Join(o.dir, first)); !slices.Equal(got, []string{"a1", "a2"}) {
		t.Errorf("first load's manifest has %v, want [a1 a2]", got)
	}
	if got := manifestKeys(t, filepath.Join(o.dir, second)); !slices.Equal(got, []string{"b1", "b2"}) {
		t.Errorf("second load's manifest has %v, want [b1 b2]", got)
	}
}

// An earlier session's DIR/added is left as it is (its manifest lists
// files on disk): this session's typed jobs go to DIR/added-2.
func TestDashOutLeavesAnEarlierSessionsDir(t *testing.T) {
	o := testDashOut(t)
	earlier := filepath.Join(o.dir, "added", results.ManifestName)
	if err := os.MkdirAll(filepath.Dir(earlier), 0o755); err != nil {
		t.Fatal(err)
	}
	const old = `{"line":0,"idempotency_key":"old"}` + "\n"
	if err := os.WriteFile(earlier, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	jobs := pendingJobs(time.Date(2026, 11, 30, 0, 15, 0, 0, time.Local), "new")
	jobs[0].Line = 0 // a typed job has no line
	if err := o.typed(jobs); err != nil {
		t.Fatal(err)
	}
	o.reconcile(jobs)
	o.close()
	if got, err := os.ReadFile(earlier); err != nil || string(got) != old {
		t.Errorf("the earlier manifest is now %q (%v), want it untouched", got, err)
	}
	if got := manifestKeys(t, filepath.Join(o.dir, "added-2")); !slices.Equal(got, []string{"new"}) {
		t.Errorf("DIR/added-2's manifest has %v, want [new]", got)
	}
}
