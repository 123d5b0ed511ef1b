package results_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/results"
)

func failed(line, retry int, key string) results.Finished {
	return results.Finished{Key: key, Line: line, Retry: retry, Model: "flux-schnell", Input: json.RawMessage(`{"prompt":"p\u0007\n"}`),
		JobID: "job_" + key, Status: results.StatusFailed, Credits: 0, Attempts: 1,
		CreatedAt: time.Unix(1e9, 0).UTC(), FinishedAt: time.Unix(1e9+5, 0).UTC(),
		Problem: &results.Problem{Code: "internal_error", Message: "boom \x1b[2J"}}
}

// One line per input line, in input order whatever order jobs finish in;
// lines not final yet are there from the start; a resubmission replaces
// its line and keeps the earlier operation under previous.
func TestManifestOrderAndRetries(t *testing.T) {
	dir := t.TempDir()
	b, err := results.Open(context.Background(), results.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for line := 5; line >= 1; line-- {
		b.Expect(results.Pending{Key: fmt.Sprintf("k%d", line), Line: line, Model: "flux-schnell", Input: json.RawMessage(`{}`), State: "queued"})
	}
	b.Add(failed(4, 0, "k4"))
	b.Add(failed(2, 1, "k2-retry"))                                // the resubmission's news first
	b.Add(failed(2, 0, "k2"))                                      // then the original's (a journal replay)
	b.Add(failed(2, 0, "k2"))                                      // twice
	b.Expect(results.Pending{Key: "k4", Line: 4, State: "queued"}) // stale: k4 is final
	s, err := b.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	es := readManifest(t, dir)
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%d:%s:%s", e.Line, e.Key, e.Status))
	}
	if want := "1:k1:queued 2:k2-retry:failed 3:k3:queued 4:k4:failed 5:k5:queued"; strings.Join(got, " ") != want {
		t.Errorf("manifest %v, want %s", got, want)
	}
	if p := es[1].Previous; len(p) != 1 || p[0].Key != "k2" || p[0].Status != "failed" || p[0].Error.Code != "internal_error" {
		t.Errorf("previous %+v", p)
	}
	if e := es[3]; e.Error == nil || e.Error.Message != "boom \x1b[2J" || string(e.Input) != `{"prompt":"p\u0007\n"}` || e.Outputs == nil {
		t.Errorf("line 4 not faithful: %+v", e)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, results.ManifestName))
	if strings.ContainsAny(string(raw), "\x1b\x07") {
		t.Error("the manifest holds raw control characters")
	}
	if s.Lines != 5 || s.ByStatus["queued"] != 3 || s.ByStatus["failed"] != 2 || results.ExitCode(s.Outcome()) != results.ExitIncomplete {
		t.Errorf("summary %+v", s)
	}
}

// A reader never sees a partial manifest, however often it is rewritten.
func TestManifestAtomic(t *testing.T) {
	dir := t.TempDir()
	b, err := results.Open(context.Background(), results.Options{Dir: dir, FlushEvery: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	reads, seen := 0, 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			data, err := os.ReadFile(filepath.Join(dir, results.ManifestName))
			if os.IsNotExist(err) {
				continue
			}
			reads++
			es, err := parseManifest(data)
			if err != nil {
				t.Error(err)
				return
			}
			seen = max(seen, len(es))
		}
	}()
	long := strings.Repeat("x", 2000) // lines long enough that a torn write shows
	for line := 1; line <= 300; line++ {
		f := failed(line, 0, fmt.Sprint(line))
		f.Problem.Message = long
		b.Add(f)
		if line%30 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	s, err := b.Close(context.Background())
	close(stop)
	wg.Wait()
	if err != nil || s.Lines != 300 || len(readManifest(t, dir)) != 300 {
		t.Fatalf("summary %+v, %v", s, err)
	}
	if reads == 0 || seen == 0 {
		t.Errorf("the reader saw %d versions, up to %d lines", reads, seen)
	}
}

func TestExitCode(t *testing.T) {
	cases := []struct {
		o    results.Outcome
		want int
	}{
		{results.Outcome{}, 0},
		{results.Outcome{JobsFailed: 1}, 3},
		{results.Outcome{FilesFailed: 1}, 4},
		{results.Outcome{FilesFailed: 1, JobsFailed: 2}, 4},
		{results.Outcome{FilesMissing: 1}, 5},
		{results.Outcome{NotFinal: 1, JobsFailed: 1}, 5},
		{results.Outcome{Interrupted: true}, 5},
	}
	for _, c := range cases {
		if got := results.ExitCode(c.o); got != c.want {
			t.Errorf("ExitCode(%+v) = %d, want %d", c.o, got, c.want)
		}
	}
}

// A final job's line never goes back to not final: the dashboard calls Add
// from its event forwarder and Expect from reconciles at the same time, and
// an Expect that checked before the Add and wrote after it used to leave
// the line "running" without its outputs, for good. Each round races one
// Add against two Expects per key; before the fix every round of 1,000
// keys had 12 to 500 lines wrong, with or without -race, so two rounds
// fail reliably.
func TestExpectNeverUndoesAdd(t *testing.T) {
	const rounds, keys = 2, 1000
	for r := range rounds {
		dir := t.TempDir()
		b, err := results.Open(context.Background(), results.Options{Dir: dir, Tries: 1,
			Sleep: func(context.Context, time.Duration) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		file := apiclient.OutputFile{Slot: apiclient.SlotImages, File: apiclient.File{ContentType: "image/png", SizeBytes: 3, SHA256: strings.Repeat("0", 64)}}
		var wg sync.WaitGroup
		for i := range keys {
			key := fmt.Sprintf("r%dk%04d", r, i)
			pending := results.Pending{Key: key, Line: i + 1, Model: "sdxl", State: "running"}
			wg.Go(func() { b.Expect(pending) })
			wg.Go(func() {
				b.Add(results.Finished{Key: key, Line: i + 1, Model: "sdxl", Status: results.StatusSucceeded, Files: []apiclient.OutputFile{file}})
			})
			wg.Go(func() { b.Expect(pending) })
		}
		wg.Wait()
		if _, err := b.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		es := readManifest(t, dir)
		bad := 0
		for _, e := range es {
			if e.Status != results.StatusSucceeded || len(e.Outputs) != 1 || e.Outputs[0].Error == "" {
				if bad++; bad == 1 {
					t.Errorf("round %d: line %d is %s with outputs %+v, want succeeded with its one file's failure", r, e.Line, e.Status, e.Outputs)
				}
			}
		}
		if bad > 0 || len(es) != keys {
			t.Fatalf("round %d: %d of %d lines wrong (%d lines)", r, bad, keys, len(es))
		}
	}
}
