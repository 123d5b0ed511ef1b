package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	live "github.com/abtop-dev/abtop/batches"
)

// A submit whose journal another abtop holds says which process holds it
// and what it runs, instead of only "in use".
func TestSubmitNamesTheJournalsHolder(t *testing.T) {
	api := &stAPI{reset: "Tue, 24 Nov 2026 19:00:23 GMT", plan: "pro"}
	srv := httptest.NewServer(api)
	defer srv.Close()
	stEnv(t, srv.URL)
	journal := filepath.Join(t.TempDir(), "queue.db")
	t.Setenv("ABTOP_JOURNAL", journal)
	j, err := queue.OpenJournal(journal) // the holder
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	dir := filepath.Join(os.Getenv("XDG_STATE_HOME"), "abtop", "batches")
	p, err := live.Publish(dir, live.Record{PID: 4242, Source: "big.jsonl", Journal: journal, Started: time.Now()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	code, _, errOut := stRun(t, `{"model":"flux-schnell","input":{}}`+"\n", "submit")
	if code == 0 || !strings.Contains(errOut, "in use by another abtop process: pid 4242 runs big.jsonl on it") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
}
