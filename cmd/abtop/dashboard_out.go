package main

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient/download"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/tui/data"
)

// dashOut downloads the output files of the jobs queued in the dashboard
// when the profile has out: (issue 12: "batches loaded in the dashboard
// use it too"). Each file loaded with o gets a directory of its own,
// DIR/<file>-<time>/, with its manifest, as "abtop submit FILE --out" into
// it would make; jobs added one by one with a share DIR/added/, named by
// job id (they have no line). A name that exists already (an earlier
// session's DIR/added, a file loaded twice within a second) gets a suffix
// instead: -2, -3… (results.NewDir). Jobs from earlier sessions are left
// to "abtop results". It tells the dashboard of each file and of the
// counters through emit; the downloading itself is package results'.
type dashOut struct {
	ctx  context.Context
	dir  string
	q    *queue.Queue
	emit func(data.Event) bool
	// fetcher downloads (never with the API token); nil: a plain one.
	fetcher *download.Fetcher

	// opening guards added: typed's look for it and its open are one
	// step, so two quick adds share one batch.
	opening sync.Mutex
	added   *results.Batch

	mu      sync.Mutex
	byTime  map[int64]*results.Batch // enqueue time → the batch its jobs download into
	batches []*results.Batch
	poke    chan struct{}
}

// addedName names the files of jobs added one by one: they have no line,
// so the job id tells them apart.
const addedName = "{{.Model}}-{{.JobID}}-{{.N}}.{{.Ext}}"

func newDashOut(ctx context.Context, dir string, q *queue.Queue, emit func(data.Event) bool) *dashOut {
	o := &dashOut{ctx: ctx, dir: dir, q: q, emit: emit, byTime: map[int64]*results.Batch{}, poke: make(chan struct{}, 1)}
	o.poke <- struct{}{} // the dashboard says at once that files go to dir
	go o.progressLoop()
	return o
}

// open starts a batch in a new directory DIR/sub (or sub-2…, see
// results.NewDir), its files named by name ("": the default layout).
func (o *dashOut) open(sub, name string) (*results.Batch, error) {
	namer, err := results.ParseName(name)
	if err != nil {
		return nil, err
	}
	dir, err := results.NewDir(o.dir, sub)
	if err != nil {
		return nil, err
	}
	var b *results.Batch
	ready := make(chan struct{})
	b, err = results.Open(o.ctx, results.Options{Dir: dir, Name: namer, Fetcher: o.fetcher,
		Refresh: results.QueueRefresh(o.q),
		OnFile: func(n results.FileNews) {
			<-ready // b is set
			o.emit(data.Event{File: fileNews(b.Dir(), n)})
		},
		OnProgress: func() {
			select {
			case o.poke <- struct{}{}:
			default:
			}
		}})
	close(ready)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	o.batches = append(o.batches, b)
	o.mu.Unlock()
	return b, nil
}

// loaded registers the jobs of a file just queued (one Enqueue: one
// enqueue time) and gives each of its lines a manifest line at once.
func (o *dashOut) loaded(path string, jobs []queue.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	at := jobs[0].Enqueued
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	b, err := o.open(results.SafePart(stem)+"-"+at.Local().Format("20060102-150405"), "")
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.byTime[at.UnixNano()] = b
	o.mu.Unlock()
	results.Reconcile(jobs, b, o.inBatch(b))
	return nil
}

// typed registers a job added with the form.
func (o *dashOut) typed(jobs []queue.Job) error {
	b, err := o.addedBatch()
	if err != nil {
		return err
	}
	o.mu.Lock()
	for _, j := range jobs {
		o.byTime[j.Enqueued.UnixNano()] = b
	}
	o.mu.Unlock()
	return nil
}

// addedBatch is the batch of the jobs added with the form, opened on the
// first one.
func (o *dashOut) addedBatch() (*results.Batch, error) {
	o.opening.Lock()
	defer o.opening.Unlock()
	if o.added == nil {
		b, err := o.open("added", addedName)
		if err != nil {
			return nil, err
		}
		o.added = b
	}
	return o.added, nil
}

func (o *dashOut) batchOf(j queue.Job) *results.Batch {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.byTime[j.Enqueued.UnixNano()]
}

func (o *dashOut) inBatch(b *results.Batch) func(queue.Job) bool {
	return func(j queue.Job) bool { return o.batchOf(j) == b }
}

// event hands a job's change to its batch: a final job's files are
// queued (with the event's links), any other change updates its line.
func (o *dashOut) event(e queue.Event) {
	if e.Type != queue.EventJob {
		return
	}
	b := o.batchOf(e.Job)
	if b == nil {
		return
	}
	if f, ok := results.FromQueue(e.Job, e.Files); ok {
		b.Add(f)
	} else {
		b.Expect(results.PendingOf(e.Job))
	}
}

// reconcile brings every batch up to the journal's truth: the queue drops
// events for a subscriber that falls behind. Jobs already added are
// ignored by Add.
func (o *dashOut) reconcile(jobs []queue.Job) {
	for _, j := range jobs {
		o.event(queue.Event{Type: queue.EventJob, Job: j})
	}
}

// progressLoop sends the sum of the batches' counters to the dashboard
// after they changed, at most ten times a second.
func (o *dashOut) progressLoop() {
	for {
		select {
		case <-o.ctx.Done():
			return
		case <-o.poke:
		}
		if !o.emit(data.Event{Downloads: o.progress()}) {
			return
		}
		select {
		case <-o.ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (o *dashOut) progress() *data.Downloads {
	d := &data.Downloads{Dir: o.dir}
	o.mu.Lock()
	bs := append([]*results.Batch(nil), o.batches...)
	o.mu.Unlock()
	for _, b := range bs {
		p := b.Progress()
		d.FilesTotal += p.FilesTotal
		d.FilesDone += p.FilesDone
		d.FilesFailed += p.FilesFailed
		d.FilesInFlight += p.FilesInFlight
		d.BytesDone += p.BytesDone
		d.BytesInFlight += p.BytesInFlight
	}
	return d
}

// close writes every manifest a last time; the downloads stop with the
// dashboard's context (what is missing "abtop results" fetches later).
func (o *dashOut) close() {
	o.mu.Lock()
	bs := o.batches
	o.mu.Unlock()
	for _, b := range bs {
		_, _ = b.Close(context.Background())
	}
}

// fileNews is a file's news as the dashboard shows it.
func fileNews(dir string, n results.FileNews) *data.FileNews {
	out := data.Output{Path: n.Output.Path, ContentType: n.Output.ContentType, Bytes: n.Output.Bytes, Err: n.Output.Error}
	if n.Output.Path != "" {
		out.Abs = filepath.Join(dir, filepath.FromSlash(n.Output.Path))
	}
	switch {
	case n.Output.Verified:
		out.Status = data.FileVerified
	case n.Output.Error != "":
		out.Status = data.FileFailed
	default:
		out.Status = data.FilePending
	}
	return &data.FileNews{Key: n.Key, Index: n.Index, Output: out}
}
