package results_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/download"
	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/sandbox"
)

// BenchmarkDownloads: 1,000 PNGs (250 jobs × 4 images, 1024×1024
// requested) from the sandbox's file host over loopback TCP, 4 at a time,
// each verified, synced and renamed, plus the manifest. One op is the
// whole batch into a fresh directory.
func BenchmarkDownloads(b *testing.B) {
	sb, err := sandbox.New(sandbox.Options{StartDelay: -1, JobTimeScale: 0.0001, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	_, tok, _ := sb.Bootstrap(sandbox.OrgOptions{Plan: sandbox.PlanEnterprise, Credits: 1e6})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	api, err := apiclient.New(apiclient.Options{BaseURL: srv.URL, Token: tok})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var fs []results.Finished
	for i := range 250 {
		in := json.RawMessage(`{"prompt":"p","num_images":4}`)
		j, _, err := api.CreateJob(ctx, apiclient.JobRequest{Model: "flux-schnell", Input: in}, fmt.Sprint("k", i))
		if err != nil {
			b.Fatal(err)
		}
		fs = append(fs, results.Finished{Key: fmt.Sprint("k", i), Line: i + 1, Model: "flux-schnell", Input: in, JobID: j.ID})
	}
	for i := range fs {
		for {
			j, _, err := api.GetJob(ctx, fs[i].JobID)
			if err != nil {
				b.Fatal(err)
			}
			if j.Finished() {
				fs[i].Status = j.Status
				fs[i].Files, _ = j.OutputFiles()
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var bytes int64
	for range b.N {
		bt, err := results.Open(ctx, results.Options{Dir: b.TempDir(), Fetcher: &download.Fetcher{}})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range fs {
			bt.Add(f)
		}
		s, err := bt.Close(ctx)
		if err != nil || s.Files != 1000 {
			b.Fatalf("%+v %v", s, err)
		}
		bytes = s.Bytes
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/file")
	b.SetBytes(bytes)
}
