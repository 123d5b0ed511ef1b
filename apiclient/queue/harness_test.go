package queue_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/sandbox"
)

// env is a sandbox served in memory (so it runs inside a synctest bubble)
// with one org, a client, a scheduler and a queue over a fresh journal.
type env struct {
	sb     *sandbox.Sandbox
	org    string
	client *apiclient.Client
	sched  *queue.Scheduler
	q      *queue.Queue
	j      *queue.Journal
	stop   func()
	window time.Duration
}

type envOpts struct {
	sandbox sandbox.Options
	org     sandbox.OrgOptions
	journal string // default: a temp file
	workers int
	// wrap puts something between the client and the sandbox (a
	// limiting gateway, gateway_test.go).
	wrap func(http.RoundTripper) http.RoundTripper
}

// epochShift moves the bubble's clock (which starts in 2000) to 2026, so
// Unix-seconds resets look like instants to the header parser (it takes
// numbers below 1e9 for delta-seconds).
const epochShift = 26 * 365 * 24 * time.Hour

func now() time.Time { return time.Now().Add(epochShift) }

func newEnv(t *testing.T, o envOpts) *env {
	t.Helper()
	o.sandbox.Now = now
	sb, err := sandbox.New(o.sandbox)
	if err != nil {
		t.Fatal(err)
	}
	org, tok, err := sb.Bootstrap(o.org)
	if err != nil {
		t.Fatal(err)
	}
	hc, base, stop := sb.ServeInMemory()
	if o.wrap != nil {
		hc = &http.Client{Transport: o.wrap(hc.Transport)}
	}
	c, err := apiclient.New(apiclient.Options{BaseURL: base, Token: tok, HTTPClient: hc, AllowInsecureHTTP: true, Now: now, Timeout: 5 * time.Second})
	if err != nil {
		stop()
		t.Fatal(err)
	}
	e := &env{sb: sb, org: org, client: c, stop: stop, window: o.sandbox.Window}
	path := o.journal
	if path == "" {
		path = filepath.Join(t.TempDir(), "queue.db")
	}
	e.open(t, path, o.workers)
	return e
}

func (e *env) open(t *testing.T, path string, workers int) {
	t.Helper()
	j, err := queue.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	e.j = j
	e.sched = queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("team")), Now: now})
	q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: e.sched, API: e.client, Workers: workers, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	e.q = q
}

func (e *env) close() {
	e.j.Close()
	e.stop()
}

// jobs makes n flux-schnell jobs with distinct input.ref, so the sandbox
// counts any job created twice as a duplicate.
func jobs(n int) []queue.NewJob {
	out := make([]queue.NewJob, n)
	for i := range out {
		in, _ := json.Marshal(map[string]any{"prompt": fmt.Sprintf("a lighthouse, take %d", i), "ref": fmt.Sprintf("job-%d", i)})
		out[i] = queue.NewJob{Model: "flux-schnell", Input: in, Credits: 1, Line: i + 1}
	}
	return out
}

// allowance is Scheduler.Allowance over the window the sandbox uses.
func allowance(e *env) float64 { return e.sched.Allowance(e.window) }

var bg = context.Background()
