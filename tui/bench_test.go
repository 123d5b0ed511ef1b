package tui

import (
	"runtime"
	"sort"
	"testing"
	"time"
)

// BenchmarkView renders full frames with 10,000 and 100,000 jobs (issue
// 12's goal: at most 1 ms a frame at 100,000) at 160×48 and 100×30,
// scrolling one row per frame so no frame is served from a warm cache of
// the last. Reports the median frame time and the heap in use with the
// model loaded.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		for _, sz := range [][2]int{{160, 48}, {100, 30}} {
			benchView(b, n, sz)
		}
	}
}

func benchView(b *testing.B, n int, sz [2]int) {
	b.Run(itoa(n)+"jobs/"+sizeName(sz), func(b *testing.B) {
		m, _ := scenario(sz[0], sz[1], false, n)
		m.jobs.Move(n / 2)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap := ms.HeapInuse
		times := make([]time.Duration, 0, b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			start := time.Now()
			_ = m.View()
			times = append(times, time.Since(start))
			b.StopTimer()
			m.jobs.Move(1 - 2*(i/50%2)) // wander down and up
			b.StartTimer()
		}
		b.StopTimer()
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "ns/frame-median")
		b.ReportMetric(float64(heap)/(1<<20), "MiB-heap-loaded")
	})
}

func sizeName(sz [2]int) string {
	return itoa(sz[0]) + "x" + itoa(sz[1])
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
