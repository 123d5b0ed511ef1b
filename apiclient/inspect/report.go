// Package inspect explains one raw HTTP response (as `curl -si` prints it):
// its limits, quota, credits, the wait before a retry and the error, using
// the same usage and problem parsers as the client, so `abtop inspect` says
// exactly what abtop itself would conclude from that response.
package inspect

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

// Report is what one response says. Marshal it for the `--json` object of
// issue 2 item 5; call Human for people.
type Report struct {
	Proto  string
	Status int
	Reason string // the status line's reason phrase, or the standard text
	// Snapshot is everything the headers said; its durations are relative to
	// the response's Date, else to the now given to Parse.
	Snapshot usage.Snapshot
	// Problem and Class are set for error responses (status >= 400).
	Problem *problem.Problem
	Class   *problem.Class
	// Credits is X-Credits-Remaining, else the "credits" of a /v1/balance
	// body; CreditsFrom says which ("header", "body").
	Credits     *float64
	CreditsFrom string
	// Wait is how long to wait before the next request can succeed: the
	// classifier's wait for errors; for successes, the reset of an exhausted
	// limit or Retry-After. Nil when no retry can help (or nothing is known).
	Wait *time.Duration
	// Exhausted is "quota" or "credits" when the response says one ran out.
	Exhausted problem.Exhaustion
	// Notes are problems found in the input: framing, body length, and the
	// headers the usage parser could not understand.
	Notes []string
	// Skipped counts earlier responses passed over (100 Continue, proxy
	// CONNECT, redirects).
	Skipped  int
	BodySize int
}

// Parse reads raw (CRLF or LF line ends; several concatenated responses →
// the last one) and explains it. now is the reference time when the
// response has no usable Date header. It returns an error only when raw is
// not an HTTP response at all; anything malformed inside is a Note.
func Parse(raw []byte, now time.Time) (Report, error) {
	rr, err := splitResponse(raw)
	if err != nil {
		return Report{}, err
	}
	snap := usage.Parse(rr.Header, now)
	r := Report{
		Proto:    rr.Proto,
		Status:   rr.Status,
		Reason:   rr.Reason,
		Snapshot: snap,
		Notes:    append(rr.Notes, snap.Problems...),
		Skipped:  rr.Skipped,
		BodySize: len(rr.Body),
	}
	if r.Reason == "" {
		r.Reason = http.StatusText(r.Status)
	}
	if snap.Credits != nil {
		c := *snap.Credits
		r.Credits, r.CreditsFrom = &c, "header"
	}
	if rr.Status >= 400 {
		p := problem.Parse(rr.Status, rr.Header, rr.Body)
		cl := problem.Classify(p, snap)
		r.Problem, r.Class = p, &cl
		r.Exhausted = cl.Exhausted
		if cl.Retryable || cl.Wait > 0 {
			w := cl.Wait
			r.Wait = &w
		}
		return r, nil
	}
	if r.Credits == nil {
		if c, ok := balanceCredits(rr.Body); ok {
			r.Credits, r.CreditsFrom = &c, "body"
		}
	}
	r.Wait = successWait(snap)
	switch {
	case snap.Quota != nil && snap.Quota.Remaining != nil && *snap.Quota.Remaining <= 0:
		r.Exhausted = problem.ExhaustedQuota
	case r.Credits != nil && *r.Credits <= 0:
		r.Exhausted = problem.ExhaustedCredits
	}
	return r, nil
}

// successWait is the wait before the next request after a success: zero
// unless a limit is used up (then its reset) or the server sent Retry-After.
func successWait(s usage.Snapshot) *time.Duration {
	var w time.Duration
	if s.RetryAfter != nil {
		w = *s.RetryAfter
	}
	for _, l := range s.Limits {
		if l.Remaining != nil && *l.Remaining <= 0 {
			if l.ResetAfter == nil {
				return nil // used up, reset unknown: the wait is unknown
			}
			w = max(w, *l.ResetAfter)
		}
	}
	return &w
}

// balanceCredits reads the credits of a /v1/balance-like body: a JSON
// object with a numeric "credits" that is not a job or model (those carry
// "credits" as a price).
func balanceCredits(body []byte) (float64, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return 0, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return 0, false
	}
	if _, isJob := m["id"]; isJob {
		return 0, false
	}
	raw, ok := m["credits"]
	if !ok {
		return 0, false
	}
	var c float64
	if json.Unmarshal(raw, &c) != nil {
		return 0, false
	}
	return c, true
}
