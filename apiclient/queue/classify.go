package queue

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

// outcome is what the scheduler does after a failed attempt.
type outcome int

const (
	outFail        outcome = iota // other 4xx: the job fails with its problem
	outRateLimit                  // 429: wait as told (embargo), same key
	outConcurrency                // too many running jobs: wait, same key
	outQuota                      // monthly quota: wait for its reset, same key
	outCredits                    // out of credits: pause, never loop
	outBackoff                    // 5xx, timeouts, drops: backoff with jitter, same key
	outStop                       // auth: stop everything
)

// classify maps an error to an outcome. It trusts the client's Kind but
// falls back on the status, so a missing classification never turns a 429
// into a failed job.
func classify(err error) outcome {
	var te *apiclient.TransportError
	if errors.As(err, &te) {
		return outBackoff
	}
	var ae *apiclient.Error
	if !errors.As(err, &ae) {
		return outFail
	}
	switch ae.Kind {
	case problem.KindRateLimit:
		return outRateLimit
	case problem.KindConcurrency:
		return outConcurrency
	case problem.KindQuota:
		return outQuota
	case problem.KindCredits:
		return outCredits
	case problem.KindServer:
		return outBackoff
	case problem.KindAuth:
		return outStop
	case problem.KindConflict:
		if ae.Retryable {
			// A lock-flavoured 409 (idempotency_key_in_use): the request
			// with this key is still being processed, so the job may
			// exist: back off and retry with the same key.
			return outBackoff
		}
		return outFail
	case problem.KindPlan:
		return outFail
	}
	switch {
	case ae.Status == http.StatusTooManyRequests:
		return outRateLimit
	case ae.Status == http.StatusPaymentRequired && ae.Code != problem.CodePlanRequired:
		return outCredits
	case ae.Status >= 500 || ae.Status == http.StatusRequestTimeout:
		return outBackoff
	case ae.Status == http.StatusUnauthorized:
		return outStop
	}
	return outFail
}

// reachedAPI says whether a request that got no answer (err, a transport
// failure) may have reached the API, so the server may have counted it:
// its connection broke after it was sent (a drop, an answer cut off), or
// it was given up unanswered (a stall: the server may hold it, or get
// its bytes yet). Not one whose connection never opened, nor one the
// caller cancelled (shutting down).
func reachedAPI(err error) bool {
	var te *apiclient.TransportError
	if !errors.As(err, &te) || errors.Is(err, context.Canceled) {
		return false
	}
	var oe *net.OpError
	return !errors.As(err, &oe) || oe.Op != "dial"
}

// observation turns one attempt into what the budget learns.
func observation(g budget.Grant, sent, received time.Time, meta apiclient.Meta, err error) budget.Observation {
	o := budget.Observation{Sent: sent, Received: received, Settle: g.Cost, Write: g.Write, Units: g.Units, Plan: meta.Plan}
	snap := meta.Snapshot
	var ae *apiclient.Error
	isAPI := errors.As(err, &ae)
	if isAPI {
		snap = ae.Snapshot
		// The server answered with an error: no job was created, nothing
		// was charged, so the caps get the job's price back (a retry
		// reserves it again). Without an answer the job may exist: the
		// reservation stays (a cap errs on the safe side).
		o.CapRelease = g.Cap
	} else if err != nil {
		if meta.Status >= 200 && meta.Status < 300 {
			// A success whose body broke off (apiclient sets meta
			// then): handled by the server, its headers hold.
			fillSnapshot(&o, snap)
			o.Accepted = true
		}
		o.Unseen = !o.HasRate && reachedAPI(err)
		return o // else no response: nothing learned, the cost stays spent
	}
	fillSnapshot(&o, snap)
	if !isAPI {
		o.Accepted = true
		o.Unseen = !o.HasRate
		return o
	}
	// The API's own answer without a usable count; not a gateway's 5xx
	// page, which the API most likely never saw.
	o.Unseen = !o.HasRate && ae.Status < 500
	switch classify(err) {
	case outRateLimit:
		o.RateLimited = true
		o.RetryAfter = ae.Wait
		if o.RetryAfter <= 0 && snap.RetryAfter != nil {
			o.RetryAfter = *snap.RetryAfter
		}
		if o.RetryAfter <= 0 && len(snap.Limits) == 0 {
			// A 429 without any hint (a gateway's bare page): the
			// budget learns a rate from these (budget/adaptive.go)
			// rather than holding everything a fixed second, which
			// made such batches several times slower than ideal.
			o.Hintless = true
		} else if o.RetryAfter <= 0 {
			o.RetryAfter = time.Second
		}
	case outQuota:
		o.QuotaExhausted = true
		if o.QuotaResetAfter <= 0 {
			o.QuotaResetAfter = ae.Wait
		}
	case outCredits:
		o.CreditsExhausted = true
	case outConcurrency:
		// Seed 002 rejects with a 429 whose Retry-After holds the
		// whole org, like any 429's.
		if snap.RetryAfter != nil {
			o.RetryAfter = *snap.RetryAfter
		}
		o.ConcurrencyRejected = true
		if ae.Problem != nil {
			// details.limit; else details.active (a rejection means
			// that many were running: the limit, or more).
			if n := number(ae.Problem.Extensions["limit"]); n > 0 && n < 1e6 {
				o.ConcurrencyLimit = int(n)
			} else if n := number(ae.Problem.Extensions["active"]); n > 0 && n < 1e6 {
				o.ConcurrencyLimit = int(n)
			}
		}
	case outBackoff:
		// A 503's Retry-After holds the org only once four attempts sent
		// in a row drew one (Scheduler.unavailable); a single one
		// among answers is one request's fault, waited out by that
		// request alone (Do). Holding the whole org 5 s for every such
		// page cost half the allowance under 20 % faults.
	}
	return o
}

func fillSnapshot(o *budget.Observation, snap usage.Snapshot) {
	if l, ok := snap.BindingLimit(); ok && l.Limit != nil && l.Remaining != nil {
		o.HasRate = true
		o.Limit, o.Remaining = *l.Limit, *l.Remaining
		if l.ResetAfter != nil {
			o.HasReset = true
			o.ResetAfter = *l.ResetAfter
			o.WindowID = snap.Now().Add(*l.ResetAfter).Round(time.Second)
		}
		if l.Window != nil {
			o.Window = *l.Window
		}
	}
	if q := snap.Quota; q != nil && q.Remaining != nil {
		o.HasQuota = true
		o.QuotaRemaining = *q.Remaining
		if q.ResetAfter != nil {
			o.QuotaResetAfter = *q.ResetAfter
		}
	}
	if snap.Credits != nil {
		o.HasCredits, o.Credits = true, *snap.Credits
	}
}

// number reads a decoded JSON number of any representation (0 when not one).
func number(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case int:
		return float64(n)
	case int64:
		return float64(n)
	case json.Number:
		f, _ := n.Float64()
		return f
	case string:
		f, _ := strconv.ParseFloat(n, 64)
		return f
	}
	return 0
}

// unitOf returns the unit of the binding rate dimension ("" when none).
func unitOf(snap usage.Snapshot) string {
	if l, ok := snap.BindingLimit(); ok {
		return l.Unit
	}
	return ""
}
