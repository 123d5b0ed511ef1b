package session

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/history"
	"github.com/abtop-dev/abtop/history/jobhook"
)

// FlushEvery is how often a session writes what it observed to the history
// file (and the most a crash loses).
const FlushEvery = 5 * time.Second

// recorder is a session's link to the history store: every response the
// client sees, every 429 drawn, every job created and finished.
type recorder struct {
	st           *history.Store
	profile, org string
	stop         context.CancelFunc
	wg           sync.WaitGroup
}

// openHistory starts recording into path; the returned recorder's observe
// goes in front of the caller's observer.
func openHistory(path, profile, org string, log *slog.Logger) (*recorder, error) {
	st, err := history.New(history.Options{Path: path})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &recorder{st: st, profile: profile, org: org, stop: cancel}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		st.Run(ctx, FlushEvery, func(err error) {
			if log != nil {
				log.Warn("history", "err", err) // history never stops abtop
			}
		})
	}()
	return r, nil
}

// observe records one response: its limits, and a 429 with the wait it
// imposed.
func (r *recorder) observe(o apiclient.Observation) {
	if o.Status == 0 {
		return // no response: nothing observed
	}
	r.st.ObserveSnapshot(r.profile, r.org, o.Snapshot)
	if o.Status == 429 {
		var wait time.Duration
		var ae *apiclient.Error
		if errors.As(o.Err, &ae) {
			wait = ae.Wait
		}
		if wait <= 0 && o.Snapshot.RetryAfter != nil {
			wait = *o.Snapshot.RetryAfter
		}
		r.st.Throttled(r.profile, r.org, "", wait)
	}
}

// follow records the queue's jobs (created, finished) until close.
func (r *recorder) follow(s *Session) {
	f := jobhook.New(r.st, r.profile, r.org)
	s.Queue.Each(f.Know)
	events, unsub := s.Queue.Subscribe(4096)
	done := make(chan struct{})
	go func() { defer close(done); f.Run(context.Background(), events) }()
	s.closers = append(s.closers, func() error {
		unsub() // closes events: the follower drains what is left and returns
		<-done
		return nil
	})
}

// close flushes what is buffered and stops the flusher.
func (r *recorder) close() error {
	r.stop()
	r.wg.Wait()
	return nil
}
