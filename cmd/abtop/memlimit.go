package main

import "os"

// A submit's soft memory limit (issue 12: a 100,000-line submit within
// 200 MB of peak RSS). Without one the collector lets the heap grow to
// twice what was live at its last cycle (GOGC=100): a 100,000-job batch
// holds ~70 MB, ~110 MB while its journal transaction is open, and peaked
// at ~220 MB of RSS. The limit follows the batch, so a bigger one gets
// room in proportion rather than a collector that never rests.
const (
	// memoryBase is the process without a batch (~15 MB live), with
	// room for what --out holds (the manifest, downloads in flight).
	memoryBase = 64 << 20
	// memoryPerJob: a queued job holds ~614 bytes of heap
	// (BenchmarkQueuedJobMemory), ~1,100 while its batch is journaled.
	memoryPerJob = 800
	// journalBytesPerJob: a journal's file holds about this much per
	// job (BenchmarkJournal: 304 bytes once tracked, 321 after enqueue),
	// so its size stands for its jobs before it is loaded.
	journalBytesPerJob = 300
)

// limitMemory sets the runtime's soft memory limit for a process that
// holds jobs queued jobs, unless GOMEMLIMIT chose one.
func (a *app) limitMemory(jobs int) {
	if a.setMemoryLimit == nil || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	a.setMemoryLimit(memoryLimit(jobs))
}

func memoryLimit(jobs int) int64 { return memoryBase + int64(jobs)*memoryPerJob }

// journalJobs guesses from its size how many jobs the journal at path
// holds; false when there is none (yet).
func journalJobs(path string) (int, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	return int(fi.Size() / journalBytesPerJob), true
}
