package batches

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/internal/heapwatch"
)

// BenchmarkPublish measures one publish of a big batch by its owner
// (issue 12: a 100,000-line submit within 200 MB of peak RSS):
//
//	go test -run '^$' -bench BenchmarkPublish -benchmem ./batches/
//
// B/op is what one publish allocates; peak-heap-MB is the most heap in
// use above the queue's own while publishing (the rows were once copied
// and marshalled whole: ~150 MB at 100,000 jobs); file-B/job is the size
// of the record per row. ABTOP_BENCH_JOBS sets the batch (default 100,000).
func BenchmarkPublish(b *testing.B) {
	n := 100000
	if v := os.Getenv("ABTOP_BENCH_JOBS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	dir := b.TempDir()
	q, j := offlineQueue(b, dir)
	nj := make([]queue.NewJob, n)
	for i := range nj {
		in, _ := json.Marshal(map[string]any{"prompt": fmt.Sprintf("a lighthouse, take %d", i)})
		nj[i] = queue.NewJob{Model: "flux-schnell", Input: in, Credits: 1, Line: i + 1}
	}
	keys, _, err := q.Add(nj...)
	if err != nil {
		b.Fatal(err)
	}
	batch := make(map[string]bool, len(keys))
	for _, k := range keys {
		batch[k] = true
	}
	w := &Owner{q: q, batch: batch, meta: Record{Org: "o", Source: "big.jsonl", Journal: j.Path()}, share: func() string { return "" }}
	rows, done := w.snapshot()
	if w.pub, err = Publish(dir, w.head(), rows, done); err != nil {
		b.Fatal(err)
	}
	defer w.pub.Close()
	base := heapwatch.Live()
	stop := heapwatch.Watch()
	b.ReportAllocs()
	for b.Loop() {
		rows, done := w.snapshot()
		if err := w.pub.Stream(w.head(), rows, done); err != nil {
			b.Fatal(err)
		}
	}
	peak := stop()
	fi, err := os.Stat(w.pub.path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(peak-base)/1e6, "peak-heap-MB")
	b.ReportMetric(float64(fi.Size())/float64(n), "file-B/job")
}
