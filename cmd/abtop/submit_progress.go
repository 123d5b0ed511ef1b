package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/internal/termsafe"
)

// progress shows a batch going out: on a terminal one redrawn line with a
// bar, rate, ETA and the current wait; otherwise a plain line every few
// seconds (and on every pause), so logs stay readable.
type progress struct {
	w     *termsafe.Writer
	tty   bool
	q     *queue.Queue
	sched *queue.Scheduler
	batch map[string]bool
	start time.Time
	// waits holds why each waiting job waits; the latest one is shown.
	waits  map[string]queue.Wait
	latest string
	paused string
	// sharing, when set and the budget is shared, adds its mode to each
	// line (changes are also logged on their own line by the session).
	sharing func() budget.Sharing
}

func newProgress(w *termsafe.Writer, tty bool, q *queue.Queue, s *queue.Scheduler, batch map[string]bool) *progress {
	return &progress{w: w, tty: tty, q: q, sched: s, batch: batch, start: time.Now(), waits: map[string]queue.Wait{}}
}

func (p *progress) run(ctx context.Context, events <-chan queue.Event) {
	every := 5 * time.Second
	if p.tty {
		every = 200 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				p.draw(true)
				return
			}
			switch ev.Type {
			case queue.EventWait:
				p.waits[ev.Job.Key], p.latest = ev.Wait, ev.Job.Key
			case queue.EventJob:
				if !ev.Job.State.Unfinished() {
					delete(p.waits, ev.Job.Key)
				}
			case queue.EventPaused:
				p.paused = ev.Reason
				if !p.tty {
					p.draw(false)
				}
			case queue.EventResumed:
				p.paused = ""
			}
		case <-t.C:
			p.draw(false)
		case <-ctx.Done():
			p.draw(true)
			return
		}
	}
}

func (p *progress) draw(final bool) {
	done, total := 0, 0
	tally := p.q.Tally(p.batch)
	for st, n := range tally {
		total += n
		if !st.Unfinished() {
			done += n
		}
	}
	failed := tally[queue.StateFailed]
	el := time.Since(p.start)
	rate := 0.0
	if el > 0 {
		rate = float64(done) / el.Seconds()
	}
	pace, paceOK := p.sched.PaceETA(total - done)
	st := p.sched.Stats()
	line := fmt.Sprintf("%d/%d sent", done, total)
	if failed > 0 { // sent is not created: a refused job is counted apart
		line += fmt.Sprintf(" (✗ %d failed)", failed)
	}
	line += fmt.Sprintf(" · %.1f/s", rate)
	if eta := etaText(p.paused != "", total-done, rate, pace, paceOK); eta != "" {
		line += " · " + eta
	}
	line += fmt.Sprintf(" · %d×429", st.HTTP429)
	if w := p.waitText(); w != "" && done < total {
		line += " · waiting: " + w
	}
	if st := p.shared(); st.Shared {
		if !st.Degraded {
			line += " · " + st.Text
		} else {
			line += fmt.Sprintf(" · REDIS UNREACHABLE, local share 1/%d", max(1, st.Peers))
		}
	}
	if p.tty {
		const width = 24
		fill := 0
		if total > 0 {
			fill = done * width / total
		}
		bar := "[" + strings.Repeat("█", fill) + strings.Repeat("·", width-fill) + "] "
		// the redraw is ours; the line goes through the escaping writer
		_ = p.w.Control("\r\x1b[2K")
		fmt.Fprint(p.w, bar+line)
		if final {
			fmt.Fprintln(p.w)
		}
		return
	}
	if final && done == total {
		return // the summary says it
	}
	fmt.Fprintln(p.w, "abtop: "+line)
}

// waitText is the reason shown: a pause, else the latest wait of a job
// still waiting, else any job's.
func (p *progress) waitText() string {
	if p.paused != "" {
		return "paused: " + p.paused
	}
	w, ok := p.waits[p.latest]
	if !ok {
		for _, any := range p.waits {
			w, ok = any, true
			break
		}
	}
	if !ok {
		return ""
	}
	if l := w.Label(); l != "" && !w.Until.IsZero() {
		if left := time.Until(w.Until); left > 0 {
			return l + " " + format.Duration(left)
		}
		return ""
	}
	return w.Text
}

// shared is how the budget is shared now (the zero value when alone).
func (p *progress) shared() budget.Sharing {
	if p.sharing == nil {
		return budget.Sharing{}
	}
	return p.sharing()
}

// etaText is the time left: at the binding limit's pace (pace, when the
// window is known) or the observed rate (jobs/s), whichever is slower, so
// a first window's burst does not promise seconds for minutes of work.
// Nothing while paused: nothing is sent, so no pace means anything.
func etaText(paused bool, left int, rate float64, pace time.Duration, paceOK bool) string {
	if left <= 0 || paused {
		return ""
	}
	d, ok := pace, paceOK
	if rate > 0 {
		d, ok = max(d, time.Duration(float64(left)/rate*float64(time.Second))), true
	}
	if !ok {
		return "ETA —"
	}
	return "ETA ~" + format.Duration(d)
}
