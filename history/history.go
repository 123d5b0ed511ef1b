// Package history is abtop's memory: a local bbolt file
// ($XDG_STATE_HOME/abtop/history.db) that every abtop process on the
// machine appends what it observes to, so charts survive a restart and
// reports can say what was spent.
//
// Two kinds of record:
//   - limit points: one series per (profile, org, limit name), a point per
//     second at most, written only when the value changed;
//   - tallies: additive counters (jobs created and finished, credits charged
//     and refunded, writes, 429s drawn, time waited) per minute and per
//     (profile, org, model, status).
//
// Several processes. bbolt holds an exclusive file lock for as long as a
// DB is open for writing, so no process keeps the file open: a Recorder
// buffers in memory and Flush opens the file (waiting at most
// Options.LockTimeout for another process's flush), writes the whole buffer
// in one transaction and closes it again. A flush takes milliseconds, so
// processes take turns instead of one of them being elected writer (which
// would need a hand-over protocol when the writer exits or is killed). A
// crash loses at most the unflushed buffer (one flush interval), which is
// acceptable for history and is the price of not fsyncing every header.
//
// Retention. Points older than Retention.Raw are folded into per-minute
// points, those older than Retention.Minute into per-hour points, and those
// older than Retention.Hour are dropped; tallies start at minute resolution
// (no report needs finer). Compaction runs inside a flush at most every
// Options.CompactEvery, coordinated across processes by a time stamp in the
// file.
package history

import (
	"errors"
	"fmt"
	"time"
)

// Retention says how long each resolution is kept.
type Retention struct {
	Raw    time.Duration // per-second points (default 48 h)
	Minute time.Duration // per-minute points and tallies (default 30 days)
	Hour   time.Duration // per-hour points and tallies (default 400 days)
}

// DefaultRetention is raw 48 h, per minute 30 days, per hour 400 days.
var DefaultRetention = Retention{Raw: 48 * time.Hour, Minute: 30 * 24 * time.Hour, Hour: 400 * 24 * time.Hour}

// Validate rejects retentions that would drop data before it is folded.
func (r Retention) Validate() error {
	if r.Raw <= 0 || r.Minute <= 0 || r.Hour <= 0 {
		return errors.New("history retention: raw, minute and hour must all be positive")
	}
	if r.Raw > r.Minute || r.Minute > r.Hour {
		return fmt.Errorf("history retention: want raw (%v) ≤ minute (%v) ≤ hour (%v)", r.Raw, r.Minute, r.Hour)
	}
	return nil
}

// Series names one limit's time series.
type Series struct {
	Profile string
	Org     string
	Name    string // "rate:requests", "rate:points", "quota", "credits", …
}

// Series names used by ObserveSnapshot.
const (
	NameQuota   = "quota"
	NameCredits = "credits"
	ratePrefix  = "rate:"
)

// RateName is the series name of a rate-limit dimension ("rate:requests").
func RateName(unit string) string { return ratePrefix + unit }

// Point is one limit observation, or the fold of several (N > 1).
type Point struct {
	At        time.Time // start of the second/minute/hour it covers
	Remaining float64   // the last value seen in that span
	Min, Max  float64   // of Remaining over the span
	Limit     float64   // the last limit seen; 0 when unknown
	Reset     time.Time // when the window/quota resets (server clock); zero when unknown
	N         int       // observations folded into it
}

// Tally holds additive counters. The zero Tally counts nothing.
type Tally struct {
	Created   int64         // jobs the server created
	Finished  int64         // jobs that reached a final status
	Charged   float64       // credits charged when jobs were created
	Refunded  float64       // credits refunded (failed, canceled)
	Writes    int64         // write requests answered (creates, cancels)
	Throttled int64         // 429s drawn
	RetryWait time.Duration // waits the 429s imposed (Retry-After)
	Waited    time.Duration // time jobs spent waiting in the queue before they were created
}

// Add returns t + o.
func (t Tally) Add(o Tally) Tally {
	return Tally{
		Created: t.Created + o.Created, Finished: t.Finished + o.Finished,
		Charged: t.Charged + o.Charged, Refunded: t.Refunded + o.Refunded,
		Writes: t.Writes + o.Writes, Throttled: t.Throttled + o.Throttled,
		RetryWait: t.RetryWait + o.RetryWait, Waited: t.Waited + o.Waited,
	}
}

// Credits is what was spent: charged minus refunded.
func (t Tally) Credits() float64 { return t.Charged - t.Refunded }

// Dims say whose a tally is. Status is "created" on the tally of a job's
// creation and the final status on that of its end ("" for 429s and
// writes that are not tied to a job's status).
type Dims struct {
	Profile string
	Org     string
	Model   string
	Status  string
}

// StatusCreated is the Dims.Status of a job's creation tally.
const StatusCreated = "created"

// Row is one stored tally: the counters of one minute (or hour) and Dims.
type Row struct {
	At time.Time
	Dims
	Tally
}
