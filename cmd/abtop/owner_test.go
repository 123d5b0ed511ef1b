package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/internal/secret"
	"github.com/abtop-dev/abtop/sandbox"
)

type ownerSandbox struct {
	sb    *sandbox.Sandbox
	url   string
	token string
}

func startOwnerSandbox(t *testing.T) ownerSandbox {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{JobTimeScale: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: "enterprise", Credits: 1000})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return ownerSandbox{sb: sb, url: srv.URL, token: tok}
}

// Issue 11 item 3: jobs left in the journal for one endpoint and token are
// never sent by a submit that runs against another; it says what waits
// where and how to resume or discard it, and "abtop jobs discard" drops them.
func TestSubmitNeverSendsAnotherEndpointsJobs(t *testing.T) {
	isolateConfig(t)
	a, b := startOwnerSandbox(t), startOwnerSandbox(t)
	journal := filepath.Join(t.TempDir(), "queue.db")
	t.Setenv("ABTOP_JOURNAL", journal)

	// three jobs left unsent against a
	j, err := queue.OpenJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	api, err := apiclient.New(apiclient.Options{BaseURL: a.url, Token: a.token})
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(queue.QueueOptions{Journal: j, API: api, Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("pro"))}),
		Owner: queue.Owner{Endpoint: a.url, Org: secret.Fingerprint(a.token), Token: secret.Mask(a.token)}})
	if err == nil {
		_, err = q.Enqueue(queue.NewJob{Model: "flux-schnell", Input: []byte(`{"prompt":"x"}`)},
			queue.NewJob{Model: "flux-schnell", Input: []byte(`{"prompt":"y"}`)}, queue.NewJob{Model: "flux-schnell", Input: []byte(`{"prompt":"z"}`)})
	}
	j.Close()
	if err != nil {
		t.Fatal(err)
	}

	t.Setenv("ABTOP_BASE_URL", b.url)
	t.Setenv("ABTOP_TOKEN", b.token)
	code, out, errOut := runCmd(t, nil, "submit", "--resume")
	if code != 1 || b.sb.Stats().JobsCreated != 0 {
		t.Fatalf("--resume against b: exit %d, b created %d; want exit 1 and nothing sent\n%s%s", code, b.sb.Stats().JobsCreated, out, errOut)
	}
	for _, want := range []string{
		"not sending 3 unfinished job(s) in " + journal + ": they were queued for " + a.url + " (token " + secret.Mask(a.token) + ")",
		"this run talks to " + b.url,
		"abtop submit --resume --base-url " + a.url,
		"abtop jobs discard --endpoint " + a.url,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	// a new batch against b sends only its own job
	file := filepath.Join(t.TempDir(), "one.jsonl")
	os.WriteFile(file, []byte(`{"model":"flux-schnell","input":{"prompt":"mine"}}`+"\n"), 0o600)
	if code, out, errOut := runCmd(t, nil, "submit", file); code != 0 || b.sb.Stats().JobsCreated != 1 {
		t.Fatalf("submit against b: exit %d, b created %d; want 0 and 1\n%s%s", code, b.sb.Stats().JobsCreated, out, errOut)
	}

	if _, out, _ := runCmd(t, nil, "jobs"); !strings.Contains(out, fmt.Sprintf("3 unfinished job(s) for %s", a.url)) {
		t.Errorf("abtop jobs:\n%s", out)
	}
	if code, out, errOut := runCmd(t, nil, "jobs", "discard", "--endpoint", a.url); code != 0 || !strings.Contains(out, "discarded 3 unfinished job(s)") {
		t.Fatalf("discard: exit %d\n%s%s", code, out, errOut)
	}
	t.Setenv("ABTOP_BASE_URL", a.url)
	t.Setenv("ABTOP_TOKEN", a.token)
	if code, out, errOut := runCmd(t, nil, "submit", "--resume"); code != 0 || a.sb.Stats().JobsCreated != 0 || !strings.Contains(errOut, "nothing to resume") {
		t.Fatalf("after discard, --resume against a: exit %d, a created %d\n%s%s", code, a.sb.Stats().JobsCreated, out, errOut)
	}
}
