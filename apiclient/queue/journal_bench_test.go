package queue_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/queue"
)

// BenchmarkJournal measures the journal of a big batch (issue 12's
// 100,000-line goal: enqueue ≤ 5 s, ≤ 200 MB peak, ≤ 300 bytes of journal
// per job once every job is tracked to its end):
//
//	go test -run '^$' -bench BenchmarkJournal -benchtime 1x ./apiclient/queue/
//
// ABTOP_BENCH_JOBS sets the batch size (default 100,000). Each job goes
// through what tracking writes: created, running, then succeeded with one
// output file's metadata, journaled a page (100 jobs) per transaction.
func BenchmarkJournal(b *testing.B) {
	n := 100000
	if v := os.Getenv("ABTOP_BENCH_JOBS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	lines := jobs(n)
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "q.db")
		j, err := queue.OpenJournal(path)
		if err != nil {
			b.Fatal(err)
		}
		q, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("pro"))}), API: nopAPI{}})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		added, err := q.Enqueue(lines...)
		if err != nil {
			b.Fatal(err)
		}
		enqueue := time.Since(start)
		_, enqueued, err := j.Usage()
		if err != nil {
			b.Fatal(err)
		}
		// What tracking writes, a page of 100 jobs per transaction.
		t0 := time.Now()
		for _, st := range []queue.State{queue.StateCreated, queue.StateRunning, queue.StateSucceeded} {
			for i := 0; i < len(added); i += 100 {
				page := added[i:min(i+100, len(added))]
				for k := range page {
					a := &page[k]
					a.State, a.JobID, a.ServerStatus = st, fmt.Sprintf("job_%024d", i+k), string(st)
					a.ServerUpdated, a.Updated = t0, t0
					if st == queue.StateSucceeded {
						a.Finished, a.Charged = t0, 1
						a.Outputs = []queue.OutputMeta{{Slot: "images", ContentType: "image/png", SizeBytes: 123456, SHA256: strings.Repeat("ab", 32)}}
					}
				}
				if err := j.Put(page...); err != nil {
					b.Fatal(err)
				}
			}
		}
		_, tracked, err := j.Usage()
		if err != nil {
			b.Fatal(err)
		}
		file := fileSize(b, path)
		j.Close()
		start = time.Now()
		j, err = queue.OpenJournal(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := queue.Open(queue.QueueOptions{Journal: j, Scheduler: queue.NewScheduler(queue.Options{Store: budget.NewMemory(budget.PlanNamed("pro"))}), API: nopAPI{}}); err != nil {
			b.Fatal(err)
		}
		reopen := time.Since(start)
		j.Close()
		b.ReportMetric(enqueue.Seconds(), "enqueue-s")
		b.ReportMetric(reopen.Seconds(), "resume-s")
		b.ReportMetric(float64(enqueued)/float64(n), "B/job-enqueued")
		b.ReportMetric(float64(tracked)/float64(n), "B/job-tracked")
		b.ReportMetric(float64(file)/float64(n), "B/job-file")
		b.ReportMetric(float64(peakRSS())/1e6, "peak-RSS-MB")
	}
}

func fileSize(b *testing.B, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// peakRSS is the process's high-water resident set (Linux), else the
// runtime's view of memory obtained from the OS.
func peakRSS() int64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				return kb * 1024
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}
