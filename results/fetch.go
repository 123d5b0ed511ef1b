package results

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/download"
)

// maxRefreshes bounds fresh-link reads per job: a file host that refuses
// every link it is given must not turn into a loop of /v1 reads.
const maxRefreshes = 3

// maxChecksum is how many bad checksums a file gets: one may be a
// corrupted transfer, a second means the server's metadata is wrong.
const maxChecksum = 2

// jobFiles is one succeeded job's files while they download. The files
// of one job share a single fresh-link read: while one is in flight, the
// others wait for it instead of reading again.
type jobFiles struct {
	f         Finished
	mu        sync.Mutex
	links     []apiclient.OutputFile
	refreshes int
	inflight  chan struct{} // closed when the refresh in flight ends; nil when none
}

// task is one file to fetch.
type task struct {
	job  *jobFiles
	idx  int
	name string // relative to the output directory, OS separators
}

// fileResult is how one file ended.
type fileResult struct {
	ok          bool // complete and verified under its final name
	skipped     bool // it already was (a resumed batch)
	interrupted bool // ctx ended first: not a failure of the file
	err         error
}

// link returns the file's current link.
func (j *jobFiles) link(idx int) apiclient.OutputFile {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.links[idx]
}

// refresh replaces the job's links after stale expired, unless another
// file of the job already did (then its link is no longer stale) or is
// doing it now (then it waits for that read).
func (j *jobFiles) refresh(ctx context.Context, get RefreshFunc, stale string, idx int) error {
	for {
		j.mu.Lock()
		if j.links[idx].URL != stale {
			j.mu.Unlock()
			return nil
		}
		if ch := j.inflight; ch != nil {
			j.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if get == nil {
			j.mu.Unlock()
			return errors.New("the link expired and no fresh one can be fetched")
		}
		if j.refreshes >= maxRefreshes {
			j.mu.Unlock()
			return fmt.Errorf("the link expired again after %d fresh links", j.refreshes)
		}
		j.refreshes++
		ch := make(chan struct{})
		j.inflight = ch
		j.mu.Unlock()

		files, err := fresh(ctx, get, j.f, len(j.links))
		j.mu.Lock()
		if err == nil {
			j.links = files
		}
		j.inflight = nil
		close(ch)
		j.mu.Unlock()
		return err
	}
}

// fresh asks for new links to the job's n files.
func fresh(ctx context.Context, get RefreshFunc, f Finished, n int) ([]apiclient.OutputFile, error) {
	files, err := get(ctx, f.Key, f.JobID)
	if err != nil {
		return nil, fmt.Errorf("fresh link: %w", err)
	}
	if len(files) != n {
		return nil, fmt.Errorf("fresh link: the job now has %d files, not %d", len(files), n)
	}
	return files, nil
}

// RefreshFunc returns a succeeded job's output files with fresh links:
// one /v1 read through the caller's scheduler (queue.Queue.Links(ctx,
// key) records what it learns in the journal; GetRefresh adapts a plain
// GET /v1/jobs/{id}).
type RefreshFunc func(ctx context.Context, key, jobID string) ([]apiclient.OutputFile, error)

// GetRefresh makes a RefreshFunc of a GET /v1/jobs/{id}.
func GetRefresh(get func(ctx context.Context, jobID string) (apiclient.Job, error)) RefreshFunc {
	return func(ctx context.Context, _, jobID string) ([]apiclient.OutputFile, error) {
		job, err := get(ctx, jobID)
		if err != nil {
			return nil, err
		}
		return job.OutputFiles()
	}
}

// fetchOne brings one file to its final name: skipped when a verified copy
// is there, else fetched with retries, fresh links on expiry and backoff.
func (b *Batch) fetchOne(ctx context.Context, t task) fileResult {
	first := t.job.link(t.idx)
	final := filepath.Join(b.dir, t.name)
	if err := b.cleanDir(filepath.Dir(final)); err != nil {
		return fileResult{err: fmt.Errorf("cleaning %s: %w", filepath.Dir(final), err)}
	}
	if download.Verify(final, dlFile(first.File)) == nil {
		return fileResult{ok: true, skipped: true}
	}
	checksums := 0
	var last error
	for try := 1; try <= b.opts.Tries; try++ {
		l := t.job.link(t.idx)
		if l.URL == "" { // a resumed job: the journal keeps no links
			if err := t.job.refresh(ctx, b.opts.Refresh, "", t.idx); err != nil {
				if ctx.Err() != nil {
					return fileResult{interrupted: true, err: err}
				}
				last = err
				if try < b.opts.Tries && b.opts.Sleep(ctx, backoff(try, 0)) != nil {
					return fileResult{interrupted: true, err: ctx.Err()}
				}
				continue
			}
			l = t.job.link(t.idx)
		}
		b.prog.start(l.SizeBytes)
		_, err := b.fetcher.Fetch(ctx, dlFile(l.File), b.dir, t.name)
		b.prog.stop(l.SizeBytes)
		if err == nil {
			return fileResult{ok: true}
		}
		last = err
		if ctx.Err() != nil {
			return fileResult{interrupted: true, err: err}
		}
		if !download.Retryable(err) {
			return fileResult{err: err}
		}
		if errors.Is(err, download.ErrChecksum) {
			if checksums++; checksums >= maxChecksum {
				return fileResult{err: err}
			}
		}
		b.prog.retry()
		b.log("download retry", "job", apiclient.Printable(t.job.f.JobID), "file", t.name, "try", try, "reason", err.Error())
		if errors.Is(err, download.ErrExpired) {
			b.prog.refreshed()
			if rerr := t.job.refresh(ctx, b.opts.Refresh, l.URL, t.idx); rerr != nil {
				if ctx.Err() != nil {
					return fileResult{interrupted: true, err: rerr}
				}
				last = rerr
				if try == b.opts.Tries {
					break
				}
				if b.opts.Sleep(ctx, backoff(try, 0)) != nil {
					return fileResult{interrupted: true, err: ctx.Err()}
				}
			}
			continue // a fresh link needs no wait
		}
		if try == b.opts.Tries {
			break
		}
		var de *download.Error
		wait := time.Duration(0)
		if errors.As(err, &de) {
			wait = de.RetryAfter
		}
		if b.opts.Sleep(ctx, backoff(try, wait)) != nil {
			return fileResult{interrupted: true, err: ctx.Err()}
		}
	}
	return fileResult{err: fmt.Errorf("gave up after %d tries: %w", b.opts.Tries, last)}
}

// backoff is 1 s, 2 s, 4 s… capped at a minute, and never sooner than the
// server asked.
func backoff(try int, atLeast time.Duration) time.Duration {
	d := time.Second << min(try-1, 6)
	d = min(d, time.Minute)
	return max(d, atLeast)
}

func dlFile(f apiclient.File) download.File {
	return download.File{URL: f.URL, Size: f.SizeBytes, SHA256: f.SHA256}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
