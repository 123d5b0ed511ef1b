package results

import "sync"

// Progress is what the downloads have done so far, for the dashboard's
// download line and the summary. Bytes in flight are the sizes of the
// files being fetched (size_bytes), not bytes received so far.
type Progress struct {
	FilesTotal    int   // files of succeeded jobs seen so far
	FilesDone     int   // complete and verified under their final names (Skipped included)
	FilesSkipped  int   // already there and verified (a resumed batch)
	FilesFailed   int   // given up on, or refused (a name, a link)
	FilesInFlight int   // being fetched now
	BytesDone     int64 // of FilesDone
	BytesInFlight int64
	Retries       int // fetches tried again (cut short, 503, expired…)
	Refreshes     int // expired links met (each may cost one GET /v1/jobs/{id})
}

// progress guards a Progress; notify (when set) hears of every change,
// after it is made, so a reader it wakes sees it.
type progress struct {
	mu     sync.Mutex
	p      Progress
	notify func()
}

func (p *progress) snapshot() Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.p
}

func (p *progress) update(fn func(*Progress)) {
	p.mu.Lock()
	fn(&p.p)
	p.mu.Unlock()
	if p.notify != nil {
		p.notify()
	}
}

func (p *progress) start(n int64) {
	p.update(func(p *Progress) { p.FilesInFlight++; p.BytesInFlight += n })
}

func (p *progress) stop(n int64) {
	p.update(func(p *Progress) { p.FilesInFlight--; p.BytesInFlight -= n })
}

func (p *progress) retry()     { p.update(func(p *Progress) { p.Retries++ }) }
func (p *progress) refreshed() { p.update(func(p *Progress) { p.Refreshes++ }) }
