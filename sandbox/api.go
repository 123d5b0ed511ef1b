package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Route names.
const (
	routeBalance       = "balance"
	routeModels        = "models"
	routeListJobs      = "list-jobs"
	routeCreateJob     = "create-job"
	routeGetJob        = "get-job"
	routeCancelJob     = "cancel-job"
	routeWebhookSecret = "webhook-secret"
	routeNotFound      = "not-found"
	routeNoMethod      = "method-not-allowed"
)

type route struct {
	name  string
	id    string // job id for get-job and cancel-job
	allow string // Allow header for method-not-allowed
}

func matchRoute(method, path string) route {
	want := func(name, m, id string) route {
		if method == m {
			return route{name: name, id: id}
		}
		return route{name: routeNoMethod, allow: m}
	}
	switch {
	case path == "/v1/balance":
		return want(routeBalance, http.MethodGet, "")
	case path == "/v1/models":
		return want(routeModels, http.MethodGet, "")
	case path == "/v1/webhooks/secret":
		return want(routeWebhookSecret, http.MethodGet, "")
	case path == "/v1/jobs":
		switch method {
		case http.MethodGet:
			return route{name: routeListJobs}
		case http.MethodPost:
			return route{name: routeCreateJob}
		}
		return route{name: routeNoMethod, allow: "GET, POST"}
	case strings.HasPrefix(path, "/v1/jobs/"):
		rest := strings.TrimPrefix(path, "/v1/jobs/")
		if id, ok := strings.CutSuffix(rest, "/cancel"); ok && id != "" && !strings.Contains(id, "/") {
			return want(routeCancelJob, http.MethodPost, id)
		}
		if rest != "" && !strings.Contains(rest, "/") {
			return want(routeGetJob, http.MethodGet, rest)
		}
	}
	return route{name: routeNotFound}
}

// apiRequest is what serveAPI needs of an HTTP request; the body is read
// before the lock is taken.
type apiRequest struct {
	method, path string
	query        map[string][]string
	header       http.Header
	body         []byte
	bodyErr      error
	fileBase     string // where the file links of a job created by it point
}

func (s *Sandbox) newAPIRequest(r *http.Request, body []byte, bodyErr error) apiRequest {
	return apiRequest{method: r.Method, path: r.URL.Path, query: r.URL.Query(), header: r.Header, body: body, bodyErr: bodyErr,
		fileBase: s.fileBase(r)}
}

// serveAPI answers one /v1 request: authentication, the rate window, then
// the endpoint, then the usage headers as they stand after it. force500
// answers internal_error after the accounting (the "500" fault).
func (s *Sandbox) serveAPI(req apiRequest, force500 bool) (response, *token) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextReq++
	instance := req.path

	tok := s.authenticate(req.header)
	if tok == nil {
		s.anon.roll(now, s.opts.Window)
		var resp response
		if s.anon.used >= anonLimit {
			resp = s.tooMany(now, s.anon, codeRateLimitExceeded, "too many unauthenticated requests", instance)
		} else {
			s.anon.used++
			resp = problemResponse(http.StatusUnauthorized, codeUnauthorized,
				"missing, malformed, unknown or revoked API token; send Authorization: Bearer ab_…", instance, nil)
			resp.header.Set("WWW-Authenticate", `Bearer realm="abstrakt"`)
		}
		s.rateHeaders(resp.header, s.anon, anonLimit)
		return s.finishResponse(resp, now), nil
	}
	o := tok.org
	o.win.roll(now, s.opts.Window)
	o.day.roll(dayStart(now))
	o.month.roll(monthStart(now))
	s.advance(o, now)
	if !tok.simulated && !o.embargo.IsZero() && now.Before(o.embargo.Add(-50*time.Millisecond)) {
		s.stats.RetryAfterViolations++
	}

	rt := matchRoute(req.method, req.path)
	cost := 1
	if s.opts.Dialect == DialectPoints {
		_, filtered := req.query["status"]
		if _, ok := req.query["updated_since"]; ok {
			filtered = true
		}
		cost = PointCost(req.method, req.path, filtered)
	}
	var resp response
	if limit := s.rateLimit(o.limits); o.win.used+cost > limit {
		detail := fmt.Sprintf("%d requests per %v used", limit, s.opts.Window)
		if s.opts.Dialect == DialectPoints {
			detail = fmt.Sprintf("this request costs %d points and %d of %d are left in this window", cost, max(limit-o.win.used, 0), limit)
		}
		resp = s.tooMany(now, o.win, codeRateLimitExceeded, detail, instance)
		s.setEmbargo(tok, resp, now)
	} else {
		o.win.used += cost
		if force500 {
			resp = problemResponse(http.StatusInternalServerError, codeInternalError,
				"something went wrong on our side (sandbox fault injection); retry with backoff and the same Idempotency-Key", instance, nil)
		} else {
			resp = s.route(o, tok, rt, req, now)
		}
	}
	s.orgHeaders(resp.header, o, now)
	return s.finishResponse(resp, now), tok
}

// finishResponse adds the headers every response carries. s.mu held.
func (s *Sandbox) finishResponse(resp response, now time.Time) response {
	resp.header.Set("Date", now.Format(http.TimeFormat))
	resp.header.Set("X-Request-Id", fmt.Sprintf("req_%06d", s.nextReq))
	return resp
}

// tooMany is a 429 for a window that will reset: Retry-After is the whole
// seconds until then.
func (s *Sandbox) tooMany(now time.Time, w window, code, detail, instance string) response {
	wait := w.start.Add(s.opts.Window).Sub(now)
	resp := problemResponse(http.StatusTooManyRequests, code,
		fmt.Sprintf("%s; the window resets in %ds", detail, ceilSeconds(wait)), instance, nil)
	resp.header.Set("Retry-After", strconv.FormatInt(ceilSeconds(wait), 10))
	return resp
}

// setEmbargo remembers the Retry-After an org was given, for
// retry_after_violations. s.mu held.
func (s *Sandbox) setEmbargo(tok *token, resp response, now time.Time) {
	if tok.simulated {
		return
	}
	if secs, err := strconv.ParseInt(resp.header.Get("Retry-After"), 10, 64); err == nil {
		if until := now.Add(time.Duration(secs) * time.Second); until.After(tok.org.embargo) {
			tok.org.embargo = until
		}
	}
}

func (s *Sandbox) authenticate(h http.Header) *token {
	scheme, value, ok := strings.Cut(h.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	t := s.tokens[strings.TrimSpace(value)]
	if t == nil || t.revoked {
		return nil
	}
	return t
}

// route dispatches to the endpoint. s.mu held.
func (s *Sandbox) route(o *org, tok *token, rt route, req apiRequest, now time.Time) response {
	switch rt.name {
	case routeBalance:
		return jsonResponse(http.StatusOK, map[string]any{"credits": o.credits, "plan": o.plan.Name})
	case routeModels:
		return s.models()
	case routeListJobs:
		return s.listJobs(o, req, now)
	case routeWebhookSecret:
		return jsonResponse(http.StatusOK, map[string]string{"key": s.webhookSecret(o)})
	case routeGetJob:
		if j := o.byID[rt.id]; j != nil {
			s.stats.GetReads++
			return jsonResponse(http.StatusOK, s.view(j, now))
		}
		return problemResponse(http.StatusNotFound, codeNotFound, fmt.Sprintf("no job %q in your organization", rt.id), req.path, nil)
	case routeCreateJob, routeCancelJob:
		return s.write(o, tok, rt, req, now)
	case routeNoMethod:
		resp := problemResponse(http.StatusMethodNotAllowed, codeInvalidRequest,
			fmt.Sprintf("%s is not allowed on %s; use %s", req.method, req.path, rt.allow), req.path, nil)
		resp.header.Set("Allow", rt.allow)
		return resp
	}
	return problemResponse(http.StatusNotFound, codeNotFound, fmt.Sprintf("no endpoint %s %s", req.method, req.path), req.path, nil)
}

type modelJSON struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Kind    string      `json:"kind"`
	Credits float64     `json:"credits"`
	MinPlan string      `json:"min_plan,omitempty"`
	Inputs  []inputJSON `json:"inputs"`
}

// inputJSON lists one accepted input member, so a client can build a form
// for any model (tts-1 reads "text", not "prompt").
type inputJSON struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"` // string | integer
	Required bool     `json:"required,omitempty"`
	Enum     []string `json:"enum,omitempty"`
}

func (s *Sandbox) models() response {
	var data []modelJSON
	for _, m := range Catalog() {
		mj := modelJSON{ID: m.ID, Name: m.Name, Kind: m.Kind, Credits: m.Credits, MinPlan: m.MinPlan, Inputs: []inputJSON{}}
		for _, f := range m.fields {
			typ := f.kind
			if typ == "int" {
				typ = "integer"
			}
			mj.Inputs = append(mj.Inputs, inputJSON{Name: f.name, Type: typ, Required: f.required, Enum: f.enum})
		}
		data = append(data, mj)
	}
	return jsonResponse(http.StatusOK, map[string]any{"data": data})
}
