package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/internal/secret"
)

// Defaults applied by New when the option is zero.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBodyBytes = 4 << 20
)

// ErrBodyTooLarge is wrapped in the TransportError of a successful response
// whose body exceeds Options.MaxBodyBytes: a cap protects the process from a
// misbehaving server or proxy, and half a JSON document is useless.
var ErrBodyTooLarge = errors.New("response body exceeds the size cap")

// New checks opts and returns a Client. It refuses a plain http:// base URL
// to a host other than loopback unless AllowInsecureHTTP is set: config
// validation already rejects it, this is defence in depth so a token is
// never sent in clear by a caller that skipped config.
func New(opts Options) (*Client, error) {
	base, err := checkBaseURL(opts.BaseURL, opts.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	opts.BaseURL = base
	if opts.Token == "" {
		return nil, errors.New("apiclient: no API token")
	}
	// A control character would corrupt the Authorization header; say so
	// without echoing the token.
	if strings.ContainsFunc(opts.Token, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return nil, errors.New("apiclient: the API token contains whitespace or control characters")
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	hc := &http.Client{}
	if opts.HTTPClient != nil {
		cp := *opts.HTTPClient // a copy: the caller's client is not modified
		hc = &cp
	}
	if hc.CheckRedirect == nil {
		hc.CheckRedirect = refuseInsecureRedirect(opts.AllowInsecureHTTP)
	}
	opts.HTTPClient = hc
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return &Client{opts: opts}, nil
}

// checkBaseURL validates raw and returns it without trailing "/" or "/v1"
// (people paste the documented https://api.abstrakt.dev/v1; every path the
// client builds already starts with /v1).
func checkBaseURL(raw string, allowInsecure bool) (string, error) {
	if raw == "" {
		return "", errors.New("apiclient: no base URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole input
		}
		return "", fmt.Errorf("apiclient: base URL: %s", scrubTokenLike(err.Error()))
	}
	// What the errors below echo: a token pasted as ?key= or instead of the
	// URL, or a user:password, must not come back.
	shown := scrubTokenLike(u.Redacted())
	if u.Host == "" {
		return "", fmt.Errorf("apiclient: base URL %q has no host", shown)
	}
	if u.User != nil {
		return "", fmt.Errorf("apiclient: base URL must not carry credentials (user:password@)")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowInsecure && !secret.IsLoopback(u.Hostname()) {
			return "", fmt.Errorf("apiclient: refusing plain http:// to %s: the token would travel unencrypted (use https, or set allow_insecure_http)", u.Host)
		}
	default:
		return "", fmt.Errorf("apiclient: base URL %q: scheme must be https or http", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("apiclient: base URL %q must not have a query or fragment", shown)
	}
	s := strings.TrimRight(u.String(), "/")
	s = strings.TrimSuffix(s, "/v1")
	return s, nil
}

// refuseInsecureRedirect stops a redirect to plain http:// on a remote
// host: net/http forwards Authorization to the same host whatever the
// scheme, so an https server redirecting to http:// would get the token
// sent in clear, which New refuses for the base URL itself.
func refuseInsecureRedirect(allowInsecure bool) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if req.URL.Scheme == "http" && !allowInsecure && !secret.IsLoopback(req.URL.Hostname()) {
			return fmt.Errorf("refusing a redirect to plain http://%s: the token would travel unencrypted (set allow_insecure_http to allow it)", req.URL.Host)
		}
		return nil
	}
}

// BaseURL is the normalized base URL requests go to.
func (c *Client) BaseURL() string { return c.opts.BaseURL }

// Balance is GET /v1/balance.
func (c *Client) Balance(ctx context.Context) (Balance, Meta, error) {
	var b Balance
	m, err := c.do(ctx, http.MethodGet, "/v1/balance", nil, "", &b)
	if err == nil {
		m.Plan = b.Plan
	}
	return b, m, err
}

// Models is GET /v1/models.
func (c *Client) Models(ctx context.Context) ([]Model, Meta, error) {
	var list struct {
		Data []Model `json:"data"`
	}
	m, err := c.do(ctx, http.MethodGet, "/v1/models", nil, "", &list)
	return list.Data, m, err
}

// ListJobs is GET /v1/jobs, newest first; status filters when not "".
// It asks for one page of 100, what the list returned before it paged
// (the default page is now 20); ListJobsPage pages and follows changes.
func (c *Client) ListJobs(ctx context.Context, status string) ([]Job, Meta, error) {
	p, m, err := c.ListJobsPage(ctx, ListJobsParams{Status: status, Limit: MaxListLimit})
	return p.Data, m, err
}

// GetJob is GET /v1/jobs/{id}.
func (c *Client) GetJob(ctx context.Context, id string) (Job, Meta, error) {
	if id == "" {
		return Job{}, Meta{}, errors.New("apiclient: GetJob: empty job id")
	}
	var j Job
	m, err := c.do(ctx, http.MethodGet, "/v1/jobs/"+url.PathEscape(id), nil, "", &j)
	return j, m, err
}

// CreateJob is POST /v1/jobs. idempotencyKey (a UUID per logical operation)
// makes a retry safe: the server replays the first response instead of
// creating and charging a second job. "" sends no key.
func (c *Client) CreateJob(ctx context.Context, req JobRequest, idempotencyKey string) (Job, Meta, error) {
	if req.Model == "" {
		return Job{}, Meta{}, errors.New("apiclient: CreateJob: empty model")
	}
	body, err := json.Marshal(req)
	if err != nil {
		return Job{}, Meta{}, fmt.Errorf("apiclient: CreateJob: encoding request: %w", err)
	}
	var j Job
	m, err := c.do(ctx, http.MethodPost, "/v1/jobs", body, idempotencyKey, &j)
	return j, m, err
}

// CancelJob is POST /v1/jobs/{id}/cancel.
func (c *Client) CancelJob(ctx context.Context, id, idempotencyKey string) (Job, Meta, error) {
	if id == "" {
		return Job{}, Meta{}, errors.New("apiclient: CancelJob: empty job id")
	}
	var j Job
	m, err := c.do(ctx, http.MethodPost, "/v1/jobs/"+url.PathEscape(id)+"/cancel", nil, idempotencyKey, &j)
	return j, m, err
}

// Problem returns the job's error as a Problem, or nil when it has none.
func (j Job) Problem() *problem.Problem {
	raw := bytes.TrimSpace(j.Error)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	// The problem carries its own status; the job response's status (200)
	// says nothing about the job's failure.
	var st struct {
		Status int `json:"status"`
	}
	_ = json.Unmarshal(raw, &st)
	h := http.Header{"Content-Type": {"application/problem+json"}}
	return problem.Parse(st.Status, h, raw)
}

// do sends one request and decodes a 2xx JSON body into out. Every outcome
// calls the observer exactly once.
func (c *Client) do(ctx context.Context, method, path string, body []byte, idemKey string, out any) (Meta, error) {
	start := c.opts.Now()
	obs := Observation{Method: method, Path: path, Write: method == http.MethodPost}
	var meta Meta
	err := c.roundTrip(ctx, method, path, body, idemKey, out, &obs, &meta)
	obs.Err = err
	obs.Latency = c.opts.Now().Sub(start)
	if c.opts.Observer != nil {
		c.opts.Observer(obs)
	}
	return meta, err
}

func (c *Client) roundTrip(ctx context.Context, method, path string, body []byte, idemKey string, out any, obs *Observation, meta *Meta) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()

	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.opts.BaseURL+path, rd)
	if err != nil {
		obs.Snapshot = usage.Parse(http.Header{}, c.opts.Now())
		return &TransportError{Method: method, Path: path, Err: err}
	}
	// Not replayable by the transport: net/http resends a request
	// carrying an Idempotency-Key by itself when a reused connection
	// closes before the answer (a dropped answer). The server counted
	// the first one, so the unseen resend spent budget the scheduler
	// never reserved, and on a window's last unit it drew a 429. The
	// scheduler retries with the same key, through the budget.
	req.GetBody = nil
	req.Header.Set("Authorization", "Bearer "+c.opts.Token)
	req.Header.Set("User-Agent", "abtop/"+c.opts.Version)
	req.Header.Set("Accept", "application/json, application/problem+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}

	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		obs.Snapshot = usage.Parse(http.Header{}, c.opts.Now())
		return c.transportErr(ctx, method, path, err)
	}
	defer resp.Body.Close()
	received := c.opts.Now()
	snap := usage.Parse(resp.Header, received)
	obs.Status = resp.StatusCode
	obs.Snapshot = snap

	data, readErr := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBodyBytes+1))
	tooLarge := int64(len(data)) > c.opts.MaxBodyBytes
	if tooLarge {
		data = data[:c.opts.MaxBodyBytes]
	}
	success := resp.StatusCode >= 200 && resp.StatusCode < 300

	if readErr != nil && success {
		// The status line and headers arrived before the body broke
		// off: the server handled the request, and its rate headers
		// count (the scheduler reads them from meta, as for an answer).
		*meta = Meta{Status: resp.StatusCode, Snapshot: snap}
		return c.transportErr(ctx, method, path, fmt.Errorf("reading the %d response body after %d bytes: %w", resp.StatusCode, len(data), readErr))
	}
	if !success {
		// An error whose body broke off is still that error: a 429
		// cut short keeps its Retry-After and rate headers, which a
		// transport error would have lost (the scheduler then backed
		// off blindly and learned nothing).
		// An oversized error page (a proxy's HTML) still has a status and
		// headers worth reporting; problem.Parse copes with the truncated prefix.
		return c.apiError(method, path, resp, data, snap)
	}
	if tooLarge {
		return &TransportError{Method: method, Path: path, Err: fmt.Errorf("%w (%d bytes)", ErrBodyTooLarge, c.opts.MaxBodyBytes)}
	}
	if problem.Throttled(resp.StatusCode, resp.Header, data) {
		// A GraphQL throttle answers 200: it is a rejection (see
		// problem.Throttled for why every 2xx body is asked).
		return c.apiError(method, path, resp, data, snap)
	}

	*meta = Meta{Status: resp.StatusCode, Snapshot: snap}
	if v := resp.Header.Get("Idempotency-Replayed"); v != "" {
		meta.Replayed, _ = strconv.ParseBool(v)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return &TransportError{Method: method, Path: path, Err: unexpectedBody(resp.StatusCode, resp.Header.Get("Content-Type"), data, err)}
		}
	}
	return nil
}

// transportErr wraps err, noting a timeout: either ours (the context
// deadline) or the transport's own.
func (c *Client) transportErr(ctx context.Context, method, path string, err error) *TransportError {
	// url.Error repeats the full URL; the method and path already say it.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	timeout := errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		timeout = true
	}
	te := &TransportError{Method: method, Path: path, Timeout: timeout, Err: err}
	if timeout {
		te.After = c.opts.Timeout
	}
	return te
}

func (c *Client) apiError(method, path string, resp *http.Response, body []byte, snap usage.Snapshot) *Error {
	p := problem.Parse(resp.StatusCode, resp.Header, body)
	// A server that echoes the token back must not make abtop print it.
	scrub := func(s string) string { return scrubToken(s, c.opts.Token) }
	p.Title, p.Detail, p.Message = scrub(p.Title), scrub(p.Detail), scrub(p.Message)
	p.Type, p.Instance, p.Code = scrub(p.Type), scrub(p.Instance), scrub(p.Code)
	for i := range p.Fields {
		p.Fields[i].Pointer, p.Fields[i].Detail = scrub(p.Fields[i].Pointer), scrub(p.Fields[i].Detail)
	}
	p.Extensions, _ = scrubAny(p.Extensions, c.opts.Token).(map[string]any)
	// Limits and a balance stated in the body (a GraphQL cost bucket,
	// RFC 9457 members) join the headers' view for the scheduler.
	snap = p.Snapshot(snap)
	cl := problem.Classify(p, snap)
	return &Error{
		Method:    method,
		Path:      path,
		Status:    resp.StatusCode,
		Code:      p.Code,
		Title:     p.Title,
		Detail:    p.Detail,
		Message:   p.Message,
		Fields:    p.Fields,
		Problem:   p,
		Snapshot:  snap,
		Wait:      cl.Wait,
		Retryable: cl.Retryable,
		Kind:      cl.Kind,
		Exhausted: cl.Exhausted,
	}
}
