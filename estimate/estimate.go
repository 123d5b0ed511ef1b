// Package estimate answers "what would this batch cost, how long would it
// take, and what runs out first?" before a single write is sent (submit
// --dry-run, the dashboard's preview). Everything here is a pure function
// of the parsed jobs, the models' prices (/v1/models) and the limits abtop
// has observed; the caller does the (at most two) reads.
package estimate

import (
	"math"
	"sort"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
)

// Job is one parsed line of the batch file: all an estimate needs of it.
type Job struct {
	Line  int
	Model string
}

// Allowance is a countable limit: what is left and, when known, of how
// much, and when it resets (0 when unknown).
type Allowance struct {
	Remaining int64
	Limit     int64
	Reset     time.Duration
}

// Limits are the limits observed now. Zero values mean "not known" unless
// a field says otherwise; nil pointers mean "not reported".
type Limits struct {
	RateLimit     int64         // units per window (requests or points); 0 unknown
	RateRemaining *int64        // left in the current window; nil: a full window
	RateReset     time.Duration // until the current window resets
	Window        time.Duration // window length; default one minute
	WriteCost     int64         // units one create costs (points); default 1
	// OthersShare is the fraction of each window other users of the budget
	// take now (from the shared budget store), 0 ≤ share < 1.
	OthersShare float64
	Concurrency int                      // jobs that may run at once; 0 unknown or unlimited
	RunTime     map[string]time.Duration // typical run time per model (from history); optional
	Credits     *float64                 // balance
	Quota       *Allowance               // monthly writes
	Daily       *Allowance               // daily limit (plans with one)
}

// ModelLine is one model's share of the batch.
type ModelLine struct {
	Model   string
	Kind    string
	Price   float64
	Jobs    int
	Credits float64
}

// What names a limit that can run out.
type What string

const (
	WhatCredits What = "credits"
	WhatQuota   What = "quota"
	WhatDaily   What = "daily"
)

// Check says whether one limit suffices for the batch.
type Check struct {
	What  What
	Known bool // false: the limit was not reported (or there is none)
	Need  float64
	Have  float64
	OK    bool
	// When !OK: how many jobs go through before it runs out, and the
	// file line of the first job that does not.
	AfterJobs int
	AtLine    int
	// Lifts is when the limit resets (quota, daily); 0 when it does not
	// by itself (credits) or is unknown.
	Lifts time.Duration
	// At is when, into the run, the job that does not go through would be
	// sent at the observed rate (set on Estimate.First; 0 when unknown).
	At time.Duration
}

// Estimate is the answer.
type Estimate struct {
	Models  []ModelLine
	Jobs    int
	Credits float64
	Writes  int64
	// Duration is the expected time to send every job at the observed
	// limits (the longer of the rate and the concurrency bound); 0 with
	// RateKnown false when no rate limit is known.
	Duration        time.Duration
	RateKnown       bool
	WritesPerWindow float64
	ByRate          time.Duration
	ByRunTime       time.Duration // 0 when run times or concurrency are unknown
	Checks          []Check
	// First is the limit that runs out first (nil when all suffice or are
	// unknown).
	First *Check
}

// Compute estimates jobs against the models' prices and the limits. A job
// whose model is not in models (the parser already refused it) costs
// nothing here and is counted under its own name with price 0.
func Compute(jobs []Job, models []apiclient.Model, l Limits) Estimate {
	price := map[string]apiclient.Model{}
	for _, m := range models {
		price[m.ID] = m
	}
	e := Estimate{Jobs: len(jobs), Writes: int64(len(jobs))}
	per := map[string]*ModelLine{}
	var order []string
	for _, j := range jobs {
		m := price[j.Model]
		ml, ok := per[j.Model]
		if !ok {
			ml = &ModelLine{Model: j.Model, Kind: m.Kind, Price: m.Credits}
			per[j.Model] = ml
			order = append(order, j.Model)
		}
		ml.Jobs++
		ml.Credits += m.Credits
		e.Credits += m.Credits
	}
	for _, id := range order {
		e.Models = append(e.Models, *per[id])
	}
	sort.SliceStable(e.Models, func(a, b int) bool { return e.Models[a].Credits > e.Models[b].Credits })
	e.Checks = checks(jobs, price, l, e)
	for i := range e.Checks {
		c := &e.Checks[i]
		if c.Known && !c.OK && (e.First == nil || c.AfterJobs < e.First.AfterJobs) {
			e.First = c
		}
	}
	e.rate(l)
	e.runTime(l)

	e.Duration = max(e.ByRate, e.ByRunTime)
	return e
}

// checks walks the batch in file order, as the queue sends it, to find the
// job at which each limit runs out.
func checks(jobs []Job, price map[string]apiclient.Model, l Limits, e Estimate) []Check {
	cs := []Check{{What: WhatCredits, Need: e.Credits}, {What: WhatQuota, Need: float64(e.Writes)}, {What: WhatDaily, Need: float64(e.Writes)}}
	if l.Credits != nil {
		cs[0].Known, cs[0].Have = true, *l.Credits
	}
	for i, a := range [...]*Allowance{nil, l.Quota, l.Daily} {
		if a != nil {
			cs[i].Known, cs[i].Have, cs[i].Lifts = true, float64(a.Remaining), a.Reset
		}
	}
	spent := 0.0
	for i := range cs {
		cs[i].OK = !cs[i].Known || cs[i].Need <= cs[i].Have
	}
	for n, j := range jobs {
		spent += price[j.Model].Credits
		for i := range cs {
			c := &cs[i]
			if !c.Known || c.OK || c.AtLine != 0 {
				continue
			}
			used := float64(n + 1) // writes
			if c.What == WhatCredits {
				used = spent
			}
			if used > c.Have+1e-9 {
				c.AfterJobs, c.AtLine = n, j.Line
			}
		}
	}
	return cs
}

// rate sets the rate bound of sending the whole batch.
func (e *Estimate) rate(l Limits) {
	if l.RateLimit <= 0 || e.Writes == 0 {
		return
	}
	e.RateKnown = true
	e.ByRate, e.WritesPerWindow = sendTime(e.Writes, l)
	if e.First != nil {
		e.First.At, _ = sendTime(int64(e.First.AfterJobs+1), l)
	}
}

// sendTime is how long sending n writes takes at the observed rate window
// (l.RateLimit > 0): what is left of the current window (less the others'
// share) goes now, then each window after its reset carries our share of
// the limit.
func sendTime(n int64, l Limits) (time.Duration, float64) {
	window := l.Window
	if window <= 0 {
		window = time.Minute
	}
	cost := max(l.WriteCost, 1)
	mine := 1 - min(max(l.OthersShare, 0), 0.99)
	perWindow := float64(l.RateLimit) * mine / float64(cost)
	now := perWindow
	if l.RateRemaining != nil {
		now = min(now, float64(*l.RateRemaining)*mine/float64(cost))
	}
	left := float64(n) - math.Floor(now)
	if left <= 0 {
		return 0, perWindow
	}
	windows := math.Ceil(left / max(perWindow, 1)) // the scheduler still sends one per window
	return l.RateReset + time.Duration(windows-1)*window, perWindow
}

// runTime is how long the jobs take to run through the concurrency slots.
func (e *Estimate) runTime(l Limits) {
	if l.Concurrency <= 0 || len(l.RunTime) == 0 {
		return
	}
	var total time.Duration
	for _, m := range e.Models {
		d, ok := l.RunTime[m.Model]
		if !ok {
			return // one unknown model makes the bound unknown
		}
		total += d * time.Duration(m.Jobs)
	}
	e.ByRunTime = total / time.Duration(l.Concurrency)
}
