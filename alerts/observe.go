package alerts

import (
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

// ReadingOf turns what one response taught into a Reading.
func ReadingOf(profile string, status int, s usage.Snapshot) Reading {
	r := Reading{Profile: profile, At: s.Received, Status: status, Credits: s.Credits}
	if q := s.Quota; q != nil {
		r.QuotaLimit, r.QuotaRemaining = q.Limit, q.Remaining
		if q.ResetAfter != nil {
			// From the server's clock, so every response of one window
			// names the same instant.
			r.QuotaReset = s.Now().Add(*q.ResetAfter)
		}
	}
	return r
}

// Observer returns an apiclient.Options.Observer feeding the engine.
func (e *Engine) Observer(profile string) func(apiclient.Observation) {
	return func(o apiclient.Observation) { e.Observe(ReadingOf(profile, o.Status, o.Snapshot)) }
}

// QueueEvent feeds a queue event: a job that reached "failed" fires
// job_failed; the queue pausing at a cap fires cap_reached for that cap's
// period.
func (e *Engine) QueueEvent(profile string, ev queue.Event) {
	if r := ev.Cap; r != nil {
		window := "batch"
		if !r.Lifts.IsZero() {
			window = r.Lifts.Format(time.RFC3339) // the period ends there: one alert per period
		}
		e.CapReached(profile, string(r.Kind), window, r.Used, r.Cap, ev.Job.Updated)
		return
	}
	if ev.Type != queue.EventJob || ev.Job.State != queue.StateFailed {
		return
	}
	reason := ""
	if p := ev.Job.Problem; p != nil {
		reason = p.Title
		if p.Code != "" {
			reason = p.Code + ": " + p.Title
		}
	}
	e.JobFailed(profile, ev.Job.Model, reason, ev.Job.Updated)
}
