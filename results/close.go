package results

import (
	"context"
	"time"
)

// kick asks the flusher for a manifest rewrite.
func (b *Batch) kick() {
	select {
	case b.flushC <- struct{}{}:
	default:
	}
}

// flusher rewrites the manifest when it changed, at most once per
// FlushEvery, or less often when a rewrite is slow (a huge batch): never
// more than a tenth of the time goes to rewriting it.
func (b *Batch) flusher() {
	defer b.wg.Done()
	for {
		select {
		case <-b.flushC:
		case <-b.ctx.Done():
			return
		}
		start := time.Now()
		err := b.man.flush()
		took := time.Since(start)
		if err != nil { // kept dirty: the next rewrite (or Close's) tries again
			b.log("manifest not written", "reason", err.Error())
		}
		if b.opts.Sleep(b.ctx, max(b.opts.FlushEvery, 10*took)) != nil {
			return
		}
	}
}

// Close waits until every queued file is fetched (or ctx ends: the
// downloads stop, and what is missing is counted, not failed), writes the
// manifest a last time and summarizes. No Add after Close.
func (b *Batch) Close(ctx context.Context) (Summary, error) {
	interrupted := false
	for {
		b.mu.Lock()
		n, idle := b.pending, b.idle
		b.mu.Unlock()
		if n == 0 || b.ctx.Err() != nil {
			interrupted = n > 0
			break
		}
		select {
		case <-idle:
		case <-ctx.Done():
		case <-b.ctx.Done():
		}
		if ctx.Err() != nil {
			b.mu.Lock()
			interrupted = b.pending > 0
			b.mu.Unlock()
			break
		}
	}
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
	err := b.man.flush()
	s := b.summary()
	s.Interrupted = interrupted
	return s, err
}
