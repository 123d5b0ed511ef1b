package results

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
)

// BenchmarkManifestFlush: one job of a 100,000-line batch finishes and the
// whole manifest is rewritten (what the flusher does at most once a
// second, and less often when a rewrite is this slow).
func BenchmarkManifestFlush(b *testing.B) {
	m := newManifest(b.TempDir())
	at := time.Unix(1.8e9, 0).UTC()
	for line := 1; line <= 100_000; line++ {
		m.set(Entry{Line: line, Model: "flux-schnell", Input: json.RawMessage(`{"prompt":"a lighthouse at dusk, oil painting"}`),
			Key: fmt.Sprintf("0193a7c2-5b1e-7c3d-9e2f-%012d", line), JobID: fmt.Sprintf("job_%016d", line), Status: StatusSucceeded,
			Credits: 1, CreatedAt: &at, FinishedAt: &at, Attempts: 1,
			Outputs: []Output{{Path: fmt.Sprintf("%d-flux-schnell-1.png", line), ContentType: "image/png", Bytes: 20_000,
				SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Verified: true}}})
	}
	if err := m.flush(); err != nil {
		b.Fatal(err)
	}
	f := apiclient.File{ContentType: "image/png", SizeBytes: 20_000, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		line := i%100_000 + 1
		m.update(line, fmt.Sprintf("0193a7c2-5b1e-7c3d-9e2f-%012d", line), 0, f, fileResult{ok: true})
		if err := m.flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m.size())/1e6, "MB/manifest")
}

// size is the manifest's length in bytes as last encoded.
func (m *manifest) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, b := range m.encoded {
		n += len(b)
	}
	return n
}
