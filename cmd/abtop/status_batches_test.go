package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	live "github.com/abtop-dev/abtop/batches"
)

// status lists the batches the abtop processes of this machine run for
// the profile's organization, with the local budget they share, in both
// outputs; another organization's batch is not listed.
func TestStatusListsRunningBatches(t *testing.T) {
	api := &stAPI{reset: "Tue, 24 Nov 2026 19:00:23 GMT", plan: "pro"}
	srv := httptest.NewServer(api)
	defer srv.Close()
	stEnv(t, srv.URL)
	dir := filepath.Join(os.Getenv("XDG_STATE_HOME"), "abtop", "batches")
	org := strings.TrimPrefix(srv.URL, "http://") + "/default"
	jobs := []queue.Job{{Key: "a", State: queue.StateCreated}, {Key: "b", State: queue.StatePending}}
	mine, err := live.Publish(dir, live.Record{Profile: "default", Org: org, Source: "big.jsonl", State: live.StateRunning, PID: 4242,
		Counts: live.CountJobs(jobs), Share: "shared locally · 2 processes", Started: time.Now()}, slices.Values(jobs), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	other, err := live.Publish(dir, live.Record{Org: "elsewhere/default", Source: "theirs.jsonl", Started: time.Now()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	code, out, errOut := stRun(t, "", "status")
	if code != 0 || !strings.Contains(out, "pid 4242 · big.jsonl · 1/2 sent · running · shared locally · 2 processes") || strings.Contains(out, "theirs.jsonl") {
		t.Fatalf("exit %d, human status:\n%s\nstderr: %s", code, out, errOut)
	}
	if !strings.Contains(out, "Shared budget shared locally · no process running") {
		t.Errorf("local budget not shown:\n%s", out)
	}
	code, out, _ = stRun(t, "", "status", "--json")
	var got struct {
		Batches []live.Record
		Limiter struct{ Backend string }
	}
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	if len(got.Batches) != 1 || got.Batches[0].Source != "big.jsonl" || !got.Batches[0].Alive || got.Batches[0].Jobs != nil || got.Limiter.Backend != "local" {
		t.Fatalf("json batches %+v limiter %+v", got.Batches, got.Limiter)
	}
}
