package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// requestLog is a slog.Handler for sandbox.Options.Logger: it keeps when
// each /v1 request arrived and how it was answered, so a test can count
// the org's requests per server window (the sandbox's stats are totals).
type requestLog struct {
	mu   sync.Mutex
	reqs []loggedRequest
}

type loggedRequest struct {
	at     time.Time // arrival: the log time minus the handling time
	status int
	create bool // POST /v1/jobs
	what   string
}

func (l *requestLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *requestLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *requestLog) WithGroup(string) slog.Handler            { return l }

func (l *requestLog) Handle(_ context.Context, rec slog.Record) error {
	r := loggedRequest{at: rec.Time}
	var method, path string
	rec.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "status":
			r.status = int(a.Value.Int64())
		case "duration":
			r.at = rec.Time.Add(-a.Value.Duration())
		case "path":
			path = a.Value.String()
		case "method":
			method = a.Value.String()
		}
		return true
	})
	r.create = method == "POST" && path == "/v1/jobs"
	r.what = method + " " + path
	l.mu.Lock()
	l.reqs = append(l.reqs, r)
	l.mu.Unlock()
	return nil
}

// allowanceSkipping is the share of the org's rate allowance the requests used:
// requests the server accepted (answered, not 429) in every whole window
// between the batch's first and last windows, over limit × that many
// windows. The first and last windows are left out because the batch
// starts and ends inside them; windows in between where nothing was sent
// count as unused. It is Scheduler.Allowance's measure, computed on the
// server's side for all processes together. 0 when the batch spanned
// fewer than three windows.
// Windows skip names (by their start) are left out too.
func (l *requestLog) allowanceSkipping(window time.Duration, limit int, skip func(time.Time) bool) (used float64, windows int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.reqs) == 0 {
		return 0, 0
	}
	first, last := l.reqs[0].at.Truncate(window), l.reqs[0].at.Truncate(window)
	for _, r := range l.reqs {
		w := r.at.Truncate(window)
		if w.Before(first) {
			first = w
		}
		if w.After(last) {
			last = w
		}
	}
	for w := first.Add(window); w.Before(last); w = w.Add(window) {
		if !skip(w) {
			windows++
		}
	}
	if windows < 1 {
		return 0, 0
	}
	accepted := 0
	for _, r := range l.reqs {
		w := r.at.Truncate(window)
		if w.After(first) && w.Before(last) && !skip(w) && r.status != 0 && r.status != 429 {
			accepted++
		}
	}
	return float64(accepted) / float64(limit*windows), windows
}

// perWindow lists the accepted requests of each window from the first to
// the last, for the log.
func (l *requestLog) perWindow(window time.Duration) []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.reqs) == 0 {
		return nil
	}
	first := l.reqs[0].at.Truncate(window)
	for _, r := range l.reqs {
		if w := r.at.Truncate(window); w.Before(first) {
			first = w
		}
	}
	var out []int
	for _, r := range l.reqs {
		i := int(r.at.Truncate(window).Sub(first) / window)
		for len(out) <= i {
			out = append(out, 0)
		}
		if r.status != 0 && r.status != 429 {
			out[i]++
		}
	}
	return out
}

// fullWindowsAfter lists the accepted requests of each whole window that
// starts at or after from, up to the window of the last create, left out
// (creation ends inside it). Windows after it hold only tracking reads:
// submit now waits for every job to end, so they say nothing of how full
// the creates kept the window.
func (l *requestLog) fullWindowsAfter(from time.Time, window time.Duration) []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	start := from.Truncate(window).Add(window)
	var last time.Time
	counts := map[time.Time]int{}
	for _, r := range l.reqs {
		w := r.at.Truncate(window)
		if r.create && w.After(last) {
			last = w
		}
		if !w.Before(start) && r.status != 0 && r.status != 429 {
			counts[w]++
		}
	}
	var out []int
	for w := start; w.Before(last); w = w.Add(window) {
		out = append(out, counts[w])
	}
	return out
}

// sendingAllowance is allowance over the windows a batch was being sent
// in: from the first request's window to the window of the last job
// creation, both left out. Following the created jobs to their end
// afterwards is paced by the jobs, not by the budget, so its windows do
// not say whether the budget was kept full.
func (l *requestLog) sendingAllowance(window time.Duration, limit int) (used float64, windows int) {
	return l.sendingAllowanceSkipping(window, limit, func(time.Time) bool { return false })
}

// sendingAllowanceSkipping is sendingAllowance without the windows skip
// names (by their start).
func (l *requestLog) sendingAllowanceSkipping(window time.Duration, limit int, skip func(time.Time) bool) (used float64, windows int) {
	l.mu.Lock()
	var lastCreate time.Time
	for _, r := range l.reqs {
		if r.create && r.at.After(lastCreate) {
			lastCreate = r.at
		}
	}
	kept := &requestLog{}
	for _, r := range l.reqs {
		if !r.at.Truncate(window).After(lastCreate.Truncate(window)) {
			kept.reqs = append(kept.reqs, r)
		}
	}
	l.mu.Unlock()
	return kept.allowanceSkipping(window, limit, skip)
}

// around429s lists, for a failure message, every request within span of a
// 429: its arrival after start, its status and what it was.
func (l *requestLog) around429s(start time.Time, span time.Duration) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, r := range l.reqs {
		for _, q := range l.reqs {
			if q.status == 429 && r.at.Sub(q.at).Abs() <= span {
				fmt.Fprintf(&b, "  +%.3fs %d %s\n", r.at.Sub(start).Seconds(), r.status, r.what)
				break
			}
		}
	}
	return b.String()
}
