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
	// memoryPerInputByte: a job's input is held as read (its bytes) and
	// again while its batch is journaled (the record's copy).
	memoryPerInputByte = 2
)

// limitMemory sets the runtime's soft memory limit for a process that
// holds jobs queued jobs whose inputs total inputBytes, unless GOMEMLIMIT
// chose one. It only raises the limit: an earlier estimate (the
// journal's size) saw a peak that a later count may not include.
func (a *app) limitMemory(jobs int, inputBytes int64) {
	if a.setMemoryLimit == nil || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	n := memoryLimit(jobs, inputBytes)
	if n <= a.memoryLimit {
		return
	}
	a.memoryLimit = n
	a.setMemoryLimit(n)
}

func memoryLimit(jobs int, inputBytes int64) int64 {
	return memoryBase + int64(jobs)*memoryPerJob + inputBytes*memoryPerInputByte
}

// journalJobs guesses from its size how many jobs the journal at path
// holds; false when there is none (yet).
func journalJobs(path string) (int, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	return int(fi.Size() / journalBytesPerJob), true
}
