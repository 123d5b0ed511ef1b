package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

// env is one sandbox with one org, served in memory: use it inside
// synctest.Test so time is fake.
type env struct {
	t      *testing.T
	sb     *sandbox.Sandbox
	client *http.Client
	base   string
	org    string
	tok    string
}

func newEnv(t *testing.T, opts sandbox.Options, org sandbox.OrgOptions) *env {
	t.Helper()
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	orgID, tok, err := sb.Bootstrap(org)
	if err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	client, base, stop := sb.ServeInMemory()
	t.Cleanup(stop)
	return &env{t: t, sb: sb, client: client, base: base, org: orgID, tok: tok}
}

// reply is a fully read response.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// code is the problem+json "code" of an error reply.
func (r reply) code(t *testing.T) string {
	t.Helper()
	c, _ := r.json(t)["code"].(string)
	return c
}

type hdr map[string]string

// do sends one request with e's token (unless headers set Authorization).
func (e *env) do(method, path, body string, h hdr) reply {
	e.t.Helper()
	r, err := e.try(method, path, body, h)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (e *env) try(method, path, body string, h hdr) (reply, error) {
	req, err := http.NewRequest(method, e.base+path, strings.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Authorization", "Bearer "+e.tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{status: resp.StatusCode, header: resp.Header}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

const fluxBody = `{"model":"flux-schnell","input":{"prompt":"a red fox in snow"}}`

// createJob posts a job and returns its id, failing on anything but 201.
func (e *env) createJob(body string, h hdr) string {
	e.t.Helper()
	r := e.do("POST", "/v1/jobs", body, h)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create job: status %d, want 201\n%s", r.status, r.body)
	}
	id, _ := r.json(e.t)["id"].(string)
	return id
}

func (e *env) jobStatus(id string) string {
	e.t.Helper()
	s, _ := e.do("GET", "/v1/jobs/"+id, "", nil).json(e.t)["status"].(string)
	return s
}

// wantHeader fails unless h[name] == want.
func wantHeader(t *testing.T, h http.Header, name, want string) {
	t.Helper()
	if got := h.Get(name); got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

// parseHTTPDate fails unless v is an RFC 7231 HTTP-date.
func parseHTTPDate(t *testing.T, name, v string) time.Time {
	t.Helper()
	tm, err := http.ParseTime(v)
	if err != nil {
		t.Fatalf("%s = %q is not an HTTP-date: %v", name, v, err)
	}
	return tm
}
