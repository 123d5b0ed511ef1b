package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

// TestSubmitAlertsWhenTheBatchEnds: "abtop submit" fires the profile's
// alerts for its queue: the command hook gets batch_finished (as JSON on
// stdin) before submit exits, once, naming what the batch became.
func TestSubmitAlertsWhenTheBatchEnds(t *testing.T) {
	t.Parallel() // counts, not timing: runs beside the others once the timing-sensitive tests are done
	e := newE2E(t, sandbox.Options{Window: 2 * time.Second, Seed: 5, JobTimeScale: 0.01}, 4)
	got := filepath.Join(e.dir, "alerts.jsonl")
	cfgDir := filepath.Join(e.dir, "cfg", "abtop")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := "alerts:\n  desktop: false\n  command: [\"sh\", \"-c\", \"cat >> '" + got + "'; echo >> '" + got + "'\"]\n"
	if err := os.WriteFile(filepath.Join(cfgDir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	c := e.cmd(t, "submit", e.jobs)
	c.Stderr = &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("abtop submit: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(got)
	if err != nil {
		t.Fatalf("the command hook never ran: %v\nstderr:\n%s", err, stderr.String())
	}
	var finished []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var a struct{ Rule, Text string }
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("the hook got %q, not JSON: %v", line, err)
		}
		if a.Rule == "batch_finished" {
			finished = append(finished, a.Text)
		}
	}
	if len(finished) != 1 || !strings.Contains(finished[0], "4 succeeded, 0 failed") {
		t.Fatalf("batch_finished alerts %q, want one saying 4 succeeded, 0 failed (all the hook got: %s)", finished, data)
	}
}
