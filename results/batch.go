package results

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/download"
)

// Options configure a Batch.
type Options struct {
	Dir  string // the output directory; created when missing
	Name *Namer // nil: DefaultName
	// Parallel is how many files download at once. Default 4.
	Parallel int
	// Fetcher downloads (it never carries the API token). Nil: a zero Fetcher.
	Fetcher *download.Fetcher
	// Refresh gets fresh links when one expired or none is known (see
	// RefreshFunc). Nil: such a file fails.
	Refresh RefreshFunc
	// Sleep waits between tries (the injected clock). Nil: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Tries per file, counting the first. Default 8.
	Tries int
	// FlushEvery is the least time between two manifest rewrites (it is
	// rewritten whole). Default 1 s; Close always writes the last state.
	FlushEvery time.Duration
	Log        *slog.Logger // retries, refusals and give-ups; nil: none
	// OnFile, when set, hears each file's news as it happens (a live
	// display): named and queued, verified, or failed. Called from Add and
	// the download workers; it must not block for long.
	OnFile func(FileNews)
	// OnProgress, when set, is called after the counters changed: Progress
	// has the news. Called from the download workers; it must not block.
	OnProgress func()
}

// Batch downloads the files of finished jobs into one directory and keeps
// its manifest. Add is safe from any goroutine and never blocks on I/O.
type Batch struct {
	opts    Options
	dir     string
	fetcher *download.Fetcher
	man     *manifest
	prog    progress

	mu      sync.Mutex
	queue   []task
	seen    map[string]string // key → status already recorded
	names   map[string]string // file name → owner (key#n)
	pending int               // files queued or in flight
	closing bool
	wake    chan struct{}
	idle    chan struct{} // closed and replaced whenever pending drops to 0

	cleanMu sync.Mutex
	cleaned map[string]bool // directories already rid of a crash's temporaries

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	flushC chan struct{}
}

// Open prepares dir (creating it, removing temporary files a crash left)
// and starts the download workers. Call Close when no more jobs come.
func Open(ctx context.Context, opts Options) (*Batch, error) {
	if opts.Dir == "" {
		return nil, errors.New("results: no output directory")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	if opts.Name == nil {
		if opts.Name, err = ParseName(""); err != nil {
			return nil, err
		}
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	if opts.Tries <= 0 {
		opts.Tries = 8
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = time.Second
	}
	b := &Batch{opts: opts, dir: dir, fetcher: opts.Fetcher, man: newManifest(dir),
		seen: map[string]string{}, names: map[string]string{}, cleaned: map[string]bool{},
		wake: make(chan struct{}, 1), idle: make(chan struct{}), flushC: make(chan struct{}, 1)}
	if b.fetcher == nil {
		b.fetcher = &download.Fetcher{}
	}
	b.prog.notify = opts.OnProgress
	if err := b.cleanDir(dir); err != nil {
		return nil, fmt.Errorf("results: cleaning %s: %w", dir, err)
	}
	b.ctx, b.cancel = context.WithCancel(ctx)
	for range opts.Parallel {
		b.wg.Add(1)
		go b.worker()
	}
	b.wg.Add(1)
	go b.flusher()
	return b, nil
}

// Dir is the output directory (absolute).
func (b *Batch) Dir() string { return b.dir }

// Progress returns the download counters.
func (b *Batch) Progress() Progress { return b.prog.snapshot() }

// Expect gives lines not final yet their manifest lines, so the manifest
// has one line per input line from the start.
//
// The check and the write are one step under b.mu (Add records a key and
// its line under it too): an Expect that checked before a concurrent Add
// and wrote after it would turn the final line back to pending, for good.
// Lock order: b.mu, then the manifest's.
func (b *Batch) Expect(p Pending) {
	b.mu.Lock()
	_, done := b.seen[p.Key]
	if !done {
		b.man.set(Entry{Line: p.Line, Model: p.Model, Input: p.Input, Key: p.Key, JobID: p.JobID, Status: p.State, retry: p.Retry})
	}
	b.mu.Unlock()
	if !done {
		b.kick()
	}
}

// Add records a finished job and queues its files. The same job added
// again (a journal replay after a live event) is ignored.
//
// The key and its line are recorded in one step under b.mu (see Expect);
// the news of its files goes out after, and before any is queued, so a
// display hears "queued" before "verified".
func (b *Batch) Add(f Finished) {
	e := entryOf(f)
	b.mu.Lock()
	if b.closing || b.seen[f.Key] == f.Status {
		b.mu.Unlock()
		return
	}
	b.seen[f.Key] = f.Status
	var tasks []task
	var refused []string
	if f.Status == StatusSucceeded {
		tasks, refused = b.plan(f, &e)
	}
	b.man.set(e)
	b.mu.Unlock()

	b.kick()
	for _, reason := range refused {
		b.prog.update(func(p *Progress) { p.FilesTotal++; p.FilesFailed++ })
		b.log("file refused", "job", apiclient.Printable(f.JobID), "reason", reason)
	}
	for i, out := range e.Outputs {
		b.tell(f.Key, i, out)
	}
	if len(tasks) == 0 {
		return
	}
	b.mu.Lock()
	b.queue = append(b.queue, tasks...)
	b.pending += len(tasks)
	b.mu.Unlock()
	b.prog.update(func(p *Progress) { p.FilesTotal += len(tasks) })
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func entryOf(f Finished) Entry {
	e := Entry{Line: f.Line, Model: f.Model, Input: f.Input, Key: f.Key, JobID: f.JobID, Status: f.Status,
		Credits: f.Credits, Attempts: f.Attempts, Error: f.Problem, retry: f.Retry}
	if !f.CreatedAt.IsZero() {
		t := f.CreatedAt
		e.CreatedAt = &t
	}
	if !f.FinishedAt.IsZero() {
		t := f.FinishedAt
		e.FinishedAt = &t
	}
	return e
}

// plan names every file of a succeeded job and returns the fetches and
// why any file was refused; a file that cannot be named is recorded as
// failed in e. The caller holds b.mu, and plan calls out to nobody.
func (b *Batch) plan(f Finished, e *Entry) (tasks []task, refused []string) {
	files := append([]apiclient.OutputFile(nil), f.Files...)
	job := &jobFiles{f: f, links: files}
	for i, of := range files {
		out := Output{ContentType: of.ContentType, Bytes: of.SizeBytes, SHA256: of.SHA256}
		name, err := b.opts.Name.Name(NameFields{Line: f.Line, Model: SafePart(f.Model), N: i + 1,
			Ext: strings.TrimPrefix(of.Ext(), "."), JobID: SafePart(f.JobID), Key: SafePart(f.Key)})
		if err == nil {
			err = b.claim(name, fmt.Sprintf("%s#%d", f.Key, i))
		}
		if err != nil {
			out.Error = err.Error()
			refused = append(refused, err.Error())
		} else {
			out.Path = filepath.ToSlash(name)
			tasks = append(tasks, task{job: job, idx: i, name: name})
		}
		e.Outputs = append(e.Outputs, out)
	}
	return tasks, refused
}

// claim reserves a name for one file, so two files never share one. The
// caller holds b.mu.
func (b *Batch) claim(name, owner string) error {
	if o, ok := b.names[name]; ok && o != owner {
		return fmt.Errorf("name %q is already another file's (--name must tell files apart)", filepath.ToSlash(name))
	}
	b.names[name] = owner
	return nil
}

func (b *Batch) worker() {
	defer b.wg.Done()
	for {
		if b.ctx.Err() != nil {
			return // what is left stays pending: Close counts it missing
		}
		b.mu.Lock()
		for len(b.queue) == 0 {
			if b.closing || b.ctx.Err() != nil {
				b.mu.Unlock()
				return
			}
			b.mu.Unlock()
			select {
			case <-b.wake:
			case <-b.ctx.Done():
			}
			b.mu.Lock()
		}
		t := b.queue[0]
		b.queue[0] = task{}
		b.queue = b.queue[1:]
		b.mu.Unlock()
		select { // pass the wake on: more tasks may wait
		case b.wake <- struct{}{}:
		default:
		}
		b.finish(t, b.fetchOne(b.ctx, t))
	}
}

// finish records one file's end in the manifest and the counters.
func (b *Batch) finish(t task, r fileResult) {
	size := t.job.link(t.idx).SizeBytes
	b.prog.update(func(p *Progress) {
		switch {
		case r.ok:
			p.FilesDone++
			p.BytesDone += size
			if r.skipped {
				p.FilesSkipped++
			}
		case !r.interrupted:
			p.FilesFailed++
		}
	})
	if r.err != nil && !r.interrupted {
		b.log("download failed", "job", apiclient.Printable(t.job.f.JobID), "file", t.name, "reason", r.err.Error())
	}
	link := t.job.link(t.idx).File
	b.man.update(t.job.f.Line, t.job.f.Key, t.idx, link, r)
	b.kick()
	out := Output{Path: filepath.ToSlash(t.name), ContentType: link.ContentType, Bytes: link.SizeBytes, SHA256: link.SHA256, Verified: r.ok}
	if r.err != nil && !r.interrupted {
		out.Error = r.err.Error()
	}
	b.tell(t.job.f.Key, t.idx, out)
	b.mu.Lock()
	b.pending--
	if b.pending == 0 {
		close(b.idle)
		b.idle = make(chan struct{})
	}
	b.mu.Unlock()
}

func (b *Batch) log(msg string, args ...any) {
	if b.opts.Log != nil {
		b.opts.Log.Warn(msg, args...)
	}
}

// Temporary files a crash can leave: the fetcher's ".<name>.part-<digits>"
// beside a file, the manifest's ".manifest.jsonl.tmp-<digits>".
// Compiled on first use, not at every abtop command's start-up.
var tempName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\..+\.part-[0-9]+$|^\.` + regexp.QuoteMeta(ManifestName) + `\.tmp-[0-9]+$`)
})

// cleanDir removes the temporary files a crash left in dir, once per
// directory and before any file is fetched into it (the lock keeps a
// second worker from fetching there meanwhile). Only directories this
// batch writes into are read, never the tree below DIR (which may be
// large, or someone's home).
func (b *Batch) cleanDir(dir string) error {
	b.cleanMu.Lock()
	defer b.cleanMu.Unlock()
	if b.cleaned[dir] {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && tempName().MatchString(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	b.cleaned[dir] = true
	return nil
}
