// Package heapwatch measures heap use for benchmarks: the live heap, and
// the most heap in use (garbage included) while something runs.
package heapwatch

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// Live is the heap in use after two full collections: what a sync.Pool
// caches (bbolt keeps 26 MB of page buffers in one after a big write)
// survives the first.
func Live() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// Watch samples the heap in use every millisecond until stop, which
// returns the highest sample (a sample can miss a peak shorter than that).
func Watch() (stop func() int64) {
	var peak atomic.Int64
	done, finished := make(chan struct{}), make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := int64(sample[0].Value.Uint64()); v > peak.Load() {
			peak.Store(v)
		}
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() int64 {
		close(done)
		<-finished
		read()
		return peak.Load()
	}
}
