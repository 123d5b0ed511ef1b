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
