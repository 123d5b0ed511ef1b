package main

import (
	"errors"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/inspect"
	"github.com/abtop-dev/abtop/apiclient/plans"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
	live "github.com/abtop-dev/abtop/batches"
	"github.com/abtop-dev/abtop/config"
)

type statusJSON struct {
	BaseURL          string              `json:"base_url"`
	Profile          string              `json:"profile"`
	Token            string              `json:"token"`
	Plan             *string             `json:"plan"`
	Credits          *float64            `json:"credits"`
	Limits           []inspect.LimitJSON `json:"limits"`
	Binding          *int                `json:"binding"`
	Quota            *inspect.QuotaJSON  `json:"quota"`
	RetryAfterS      *float64            `json:"retry_after_s"`
	ServerDate       *time.Time          `json:"server_date"`
	ClockSkewS       *float64            `json:"clock_skew_s"`
	RunningJobs      *int                `json:"running_jobs"`
	ConcurrencyLimit *int                `json:"concurrency_limit"`
	Problems         []string            `json:"header_problems"`
	Limiter          any                 `json:"limiter"` // a localbudget or redisbudget Status; null: the budget is in-process
	Batches          []live.Record       `json:"batches"` // run by abtop processes of this machine, without their job rows
	Requests         []statusRequestJSON `json:"requests"`
	Error            *statusErrorJSON    `json:"error"`
}

type statusRequestJSON struct {
	Method    string  `json:"method"`
	Path      string  `json:"path"`
	Status    int     `json:"status"`
	LatencyMS float64 `json:"latency_ms"`
	Error     *string `json:"error"`
}

type statusErrorJSON struct {
	// Kind is "api" (the server answered with an error) or "network" (no
	// answer: refused, timed out, reset); Message says it in words.
	Kind      string               `json:"kind"`
	Status    int                  `json:"status"`
	Code      *string              `json:"code"`
	Title     string               `json:"title"`
	Detail    string               `json:"detail"`
	Message   string               `json:"message"`
	Fields    []problem.FieldError `json:"fields"`
	Retryable bool                 `json:"retryable"`
	WaitS     float64              `json:"wait_s"`
}

func (r *statusReport) json() statusJSON {
	s := r.snap
	out := statusJSON{
		BaseURL:     r.cfg.BaseURL,
		Profile:     r.cfg.Profile,
		Token:       config.MaskToken(r.cfg.Token),
		Credits:     r.credits,
		Limits:      inspect.Limits(s),
		Binding:     inspect.Binding(s),
		RetryAfterS: inspect.Seconds(s.RetryAfter),
		RunningJobs: r.running,
		Problems:    append([]string{}, s.Problems...),
		Requests:    []statusRequestJSON{},
		Batches:     append([]live.Record{}, r.batches...),
	}
	switch {
	case r.limiter != nil:
		out.Limiter = r.limiter
	case r.local != nil:
		out.Limiter = r.local
	}
	if r.quota != nil {
		out.Quota = inspect.Quota(usage.Snapshot{Quota: r.quota})
	}
	if !s.ServerDate.IsZero() {
		d := s.ServerDate.UTC()
		sk := s.Skew().Seconds()
		out.ServerDate, out.ClockSkewS = &d, &sk
	}
	if r.balance != nil && r.balance.Plan != "" {
		p := r.balance.Plan
		out.Plan = &p
		if limit, ok := plans.Concurrency(p); ok && limit > 0 {
			out.ConcurrencyLimit = &limit
		}
	}
	for _, o := range r.requests {
		rq := statusRequestJSON{Method: o.Method, Path: o.Path, Status: o.Status, LatencyMS: float64(o.Latency.Microseconds()) / 1000}
		if o.Err != nil {
			msg := o.Err.Error()
			rq.Error = &msg
		}
		out.Requests = append(out.Requests, rq)
	}
	if e := r.apiErr; e != nil {
		ej := &statusErrorJSON{Kind: "api", Status: e.Status, Title: e.Title, Detail: e.Detail, Message: e.Message,
			Fields: append([]problem.FieldError{}, e.Fields...), Retryable: e.Retryable, WaitS: e.Wait.Seconds()}
		if e.Code != "" {
			c := e.Code
			ej.Code = &c
		}
		out.Error = ej
	} else if r.otherErr != nil {
		out.Error = &statusErrorJSON{Kind: "network", Message: networkLine(r.otherErr), Fields: []problem.FieldError{}}
	}
	return out
}

// networkLine is a failed request in words: "GET /v1/balance: connection
// refused", not Go's "dial tcp 127.0.0.1:1: connect: connection refused".
func networkLine(err error) string {
	var te *apiclient.TransportError
	if errors.As(err, &te) {
		return te.Method + " " + te.Path + ": " + apiclient.Cause(err)
	}
	return apiclient.Cause(err)
}
