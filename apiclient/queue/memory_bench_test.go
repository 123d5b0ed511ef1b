package queue_test

import (
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/abtop-dev/abtop/internal/heapwatch"
)

// BenchmarkQueuedJobMemory measures what a queued job costs in memory
// (issue 12: a 100,000-line submit within 200 MB of peak RSS):
//
//	go test -run '^$' -bench BenchmarkQueuedJobMemory -benchtime 1x ./apiclient/queue/
//
// B/job-live is the heap the queue holds per job once the batch is queued
// (the job, its key, its input, the maps); peak-heap-MB is the most heap
// in use (garbage included) seen while Add journals and keeps the batch.
// ABTOP_BENCH_JOBS sets the batch size (default 100,000).
func BenchmarkQueuedJobMemory(b *testing.B) {
	n := 100000
	if v := os.Getenv("ABTOP_BENCH_JOBS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for b.Loop() {
		q, _ := offlineQueue(b)
		base := heapwatch.Live()
		lines := jobs(n)
		stop := heapwatch.Watch()
		if _, _, err := q.Add(lines...); err != nil {
			b.Fatal(err)
		}
		peak := stop()
		live := heapwatch.Live()
		runtime.KeepAlive(q)
		b.ReportMetric(float64(live-base)/float64(n), "B/job-live")
		b.ReportMetric(float64(peak-base)/1e6, "peak-heap-MB")
	}
}
