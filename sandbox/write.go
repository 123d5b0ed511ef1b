package sandbox

import (
	"fmt"
	"net/http"
	"time"
)

// maxIdempotencyKey bounds Idempotency-Key (a UUID is 36).
const maxIdempotencyKey = 255

// write handles POST /v1/jobs and POST /v1/jobs/{id}/cancel: the body
// check, the Idempotency-Key replay or mismatch, then the endpoint; a
// success is cached under the key. s.mu held.
func (s *Sandbox) write(o *org, tok *token, rt route, req apiRequest, now time.Time) response {
	if req.bodyErr != nil {
		return problemResponse(http.StatusBadRequest, codeInvalidRequest, "reading the request body: "+req.bodyErr.Error(), req.path, nil)
	}
	key := req.header.Get("Idempotency-Key")
	if len(key) > maxIdempotencyKey {
		return problemResponse(http.StatusBadRequest, codeInvalidRequest,
			fmt.Sprintf("Idempotency-Key is %d characters; at most %d (a UUID is 36)", len(key), maxIdempotencyKey), req.path, nil)
	}
	fp := fingerprint(req.method, req.path, req.body)
	if key != "" {
		if e := o.lookupIdem(key, now); e != nil {
			if e.fingerprint != fp {
				s.stats.IdempotencyMismatches++
				return problemResponse(http.StatusUnprocessableEntity, codeIdempotencyMismatch,
					fmt.Sprintf("Idempotency-Key %q was first used with a different request; use a new key for a new operation", key), req.path, nil)
			}
			s.stats.IdempotentReplays++
			resp := response{status: e.resp.status, header: e.resp.header.Clone(), body: e.resp.body}
			resp.header.Set("Idempotency-Replayed", "true")
			return resp
		}
	}
	var resp response
	if rt.name == routeCreateJob {
		resp = s.createJob(o, req, now)
	} else {
		resp = s.cancelJob(o, rt.id, req, now)
	}
	if resp.status/100 == 2 {
		o.day.used++
		o.month.used++
		if key != "" {
			o.idem[key] = &idemEntry{fingerprint: fp, expires: now.Add(idemTTL),
				resp: response{status: resp.status, header: resp.header.Clone(), body: resp.body}}
		}
	}
	return resp
}

// quotaCheck rejects a write when the daily or monthly writes are used up;
// Retry-After and the detail say when they come back.
func (s *Sandbox) quotaCheck(o *org, req apiRequest, now time.Time) (response, bool) {
	var until time.Time
	var detail string
	switch {
	case o.limits.DailyWrites > 0 && o.day.used >= o.limits.DailyWrites:
		until = dayStart(now).AddDate(0, 0, 1)
		detail = fmt.Sprintf("daily limit of %d writes reached; it resets at %s", o.limits.DailyWrites, until.Format(http.TimeFormat))
	case o.limits.MonthlyWrites > 0 && o.month.used >= o.limits.MonthlyWrites:
		until = monthStart(now).AddDate(0, 1, 0)
		detail = fmt.Sprintf("monthly quota of %d writes exhausted; it resets at %s (X-Quota-Reset)", o.limits.MonthlyWrites, until.Format(http.TimeFormat))
	default:
		return response{}, true
	}
	resp := problemResponse(http.StatusTooManyRequests, codeQuotaExceeded, detail, req.path, nil)
	resp.header.Set("Retry-After", fmt.Sprint(ceilSeconds(until.Sub(now))))
	return resp, false
}

func (s *Sandbox) createJob(o *org, req apiRequest, now time.Time) response {
	jr, fieldErrs, err := parseJobRequest(req.body)
	if err != nil {
		return problemResponse(http.StatusBadRequest, codeInvalidRequest, err.Error(), req.path, nil)
	}
	if len(fieldErrs) > 0 {
		return problemResponse(http.StatusUnprocessableEntity, codeValidationFailed,
			fmt.Sprintf("%d field(s) failed validation; see errors", len(fieldErrs)), req.path, fieldErrs)
	}
	if need, _ := LookupPlan(jr.model.MinPlan); jr.model.MinPlan != "" && o.plan.Rank < need.Rank {
		return problemResponse(http.StatusPaymentRequired, codePlanRequired,
			fmt.Sprintf("model %s needs the %s plan or higher; this organization is on %s", jr.model.ID, need.Name, o.plan.Name), req.path, nil)
	}
	if resp, ok := s.quotaCheck(o, req, now); !ok {
		return resp
	}
	if s.opts.Dialect == DialectPredictions {
		limit := o.limits.Concurrency
		if limit == 0 {
			limit = predictionsDefaultConcurrency
		}
		if o.active() >= limit {
			resp := concurrencyResponse(limit, o.active())
			resp.header.Set("Retry-After", fmt.Sprint(ceilSeconds(o.firstSlotFree(now).Sub(now))))
			return resp
		}
	}
	if o.credits < jr.model.Credits {
		return problemResponse(http.StatusPaymentRequired, codeInsufficientCredits,
			fmt.Sprintf("%s costs %v credits and %v are left; top up or upgrade", jr.model.ID, jr.model.Credits, o.credits), req.path, nil)
	}

	j := &job{
		seq: len(o.jobs), id: s.newJobID(), req: jr, status: statusQueued, credits: jr.model.Credits,
		created: now, eligible: now.Add(s.opts.StartDelay),
		runFor: jr.runTime(s.rng, s.opts.JobTimeScale),
		fail:   s.rng.Float64() < s.opts.FailureRate,
	}
	j.files, j.seed = jr.outputFiles(s.rng)
	j.fileBase, j.webhook = req.fileBase, jr.webhook
	if j.fileBase == "" {
		j.fileBase = "http://localhost"
	}
	s.files[j.id] = j
	s.jobCreated(o, j)
	o.credits -= j.credits
	o.jobs = append(o.jobs, j)
	o.byID[j.id] = j
	o.queued = append(o.queued, j)
	s.stats.JobsCreated++
	s.stats.CreditsCharged += j.credits
	if jr.ref != "" {
		if o.refs[jr.ref] {
			s.stats.DuplicateJobs++
		}
		o.refs[jr.ref] = true
	}
	s.advance(o, now) // a zero StartDelay starts it at once
	resp := jsonResponse(http.StatusCreated, s.view(j, now))
	resp.header.Set("Location", "/v1/jobs/"+j.id)
	return resp
}

func (s *Sandbox) cancelJob(o *org, id string, req apiRequest, now time.Time) response {
	j := o.byID[id]
	if j == nil {
		return problemResponse(http.StatusNotFound, codeNotFound, fmt.Sprintf("no job %q in your organization", id), req.path, nil)
	}
	if j.status != statusQueued {
		return problemResponse(http.StatusConflict, codeConflict,
			fmt.Sprintf("job %s is %s; only a queued job can be canceled", id, j.status), req.path, nil)
	}
	if resp, ok := s.quotaCheck(o, req, now); !ok {
		return resp
	}
	for i, q := range o.queued {
		if q == j {
			o.queued = append(o.queued[:i], o.queued[i+1:]...)
			break
		}
	}
	j.status, j.finished = statusCanceled, now
	s.refund(o, j)
	s.jobEnded(o, j)
	return jsonResponse(http.StatusOK, s.view(j, now))
}
