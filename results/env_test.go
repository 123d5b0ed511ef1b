package results_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/download"
	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/sandbox"
)

// epoch moves synctest's year-2000 clock to 2026.
const epoch = (26*365 + 7) * 24 * time.Hour

func now() time.Time { return time.Now().Add(epoch) }

type env struct {
	sb   *sandbox.Sandbox
	http *http.Client // plain: no token
	api  *apiclient.Client

	mu           sync.Mutex
	gets         int           // Refresh calls
	refreshDelay time.Duration // before each Refresh reads
	sleeps       []time.Duration
}

// newEnv serves a sandbox in memory; call inside synctest.Test.
func newEnv(t *testing.T, faults sandbox.Faults) *env {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Now: now, Faults: faults, Seed: 7, JobTimeScale: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: sandbox.PlanEnterprise, Credits: 10000})
	if err != nil {
		t.Fatal(err)
	}
	hc, base, stop := sb.ServeInMemory()
	t.Cleanup(stop)
	api, err := apiclient.New(apiclient.Options{BaseURL: base, Token: tok, HTTPClient: hc, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, http: hc, api: api}
}

// spec is one input line.
type spec struct {
	model string
	input string
}

// run creates one job per spec (line i+1), waits for them all and returns
// them as the queue would report them.
func (e *env) run(t *testing.T, specs ...spec) []results.Finished {
	t.Helper()
	ctx := context.Background()
	ids := make([]string, len(specs))
	for i, s := range specs {
		j, err := retry(func() (apiclient.Job, error) { // API faults may be on: same key
			j, _, err := e.api.CreateJob(ctx, apiclient.JobRequest{Model: s.model, Input: json.RawMessage(s.input)}, fmt.Sprintf("key-%d", i+1))
			return j, err
		})
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		ids[i] = j.ID
	}
	time.Sleep(5 * time.Minute) // every job is final by now (fake time)
	out := make([]results.Finished, len(specs))
	for i, id := range ids {
		j, err := retry(func() (apiclient.Job, error) {
			j, _, err := e.api.GetJob(ctx, id)
			return j, err
		})
		if err != nil || !j.Finished() {
			t.Fatalf("line %d: %s %v", i+1, j.Status, err)
		}
		out[i] = finishedOf(i+1, fmt.Sprintf("key-%d", i+1), specs[i], j)
	}
	return out
}

func retry(fn func() (apiclient.Job, error)) (apiclient.Job, error) {
	var j apiclient.Job
	var err error
	for range 20 {
		if j, err = fn(); err == nil {
			return j, nil
		}
		time.Sleep(10 * time.Second)
	}
	return j, err
}

func finishedOf(line int, key string, s spec, j apiclient.Job) results.Finished {
	f := results.Finished{Key: key, Line: line, Model: s.model, Input: json.RawMessage(s.input), JobID: j.ID,
		Status: j.Status, Credits: j.Credits, CreatedAt: j.CreatedAt, Attempts: 1}
	f.Files, _ = j.OutputFiles()
	if j.FinishedAt != nil {
		f.FinishedAt = *j.FinishedAt
	}
	if p := j.Problem(); p != nil {
		f.Problem = &results.Problem{Code: p.Code, Message: p.Detail}
	}
	return f
}

// options for a batch in dir: the sandbox's plain client, GetJob as
// Refresh (counted), recorded sleeps.
func (e *env) options(dir string) results.Options {
	return results.Options{
		Dir:     dir,
		Fetcher: &download.Fetcher{Client: e.http},
		Refresh: results.GetRefresh(func(ctx context.Context, id string) (apiclient.Job, error) {
			e.mu.Lock()
			e.gets++
			delay := e.refreshDelay
			e.mu.Unlock()
			time.Sleep(delay) // lets every file of the job meet its expired link first
			j, _, err := e.api.GetJob(ctx, id)
			return j, err
		}),
		Sleep: func(ctx context.Context, d time.Duration) error {
			e.mu.Lock()
			e.sleeps = append(e.sleeps, d)
			e.mu.Unlock()
			select {
			case <-time.After(d):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	}
}

// batch runs every finished job through a Batch and returns its summary.
func batch(t *testing.T, opts results.Options, fs ...results.Finished) results.Summary {
	t.Helper()
	b, err := results.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		b.Add(f)
	}
	s, err := b.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readManifest parses DIR/manifest.jsonl strictly.
func readManifest(t *testing.T, dir string) []results.Entry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, results.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	es, err := parseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func parseManifest(data []byte) ([]results.Entry, error) {
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return nil, fmt.Errorf("manifest does not end with a newline: %q", tail(data))
	}
	var es []results.Entry
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line == "" && len(data) == 0 {
			break
		}
		var e results.Entry
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("manifest line %d: %v: %q", i+1, err, line)
		}
		es = append(es, e)
	}
	return es, nil
}

func tail(b []byte) []byte { return b[max(0, len(b)-40):] }

// sum is a file's sha256 in hex.
func sum(t *testing.T, path string) (string, int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), int64(len(b))
}

// names lists every file under dir, slash-separated, relative.
func names(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
