package history

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkHistory measures what recording costs a process and what the
// store costs the disk.
//
//   - observe: one ObserveLimit (the hot path, called on every response);
//   - observe+flush: the same with a Flush every 500 observations (one
//     flush per 5 s at a busy 100 responses a second), the disk included;
//   - size-1M: 1,000,000 observations of a busy org, 3 limits (rate, quota,
//     credits) each changing every second plus a job created on every
//     observation across 5 models, retention applied as it goes;
//     reports the file's size, the bytes in use, and the days spanned;
//   - size-1M-year: the same 1,000,000 observations spread over 365 days;
//   - size-busy-year: the steady state after a year of a busy org (slow:
//     run it alone, -benchtime 1x).
func BenchmarkHistory(b *testing.B) {
	b.Run("observe", func(b *testing.B) {
		c := &clock{t: t0}
		s := newStore(b, "", c)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			c.Add(time.Second)
			s.ObserveLimit(rate, float64(i%60), 60, time.Time{})
			if i%500 == 499 { // what a flush would take away, without the disk
				b.StopTimer()
				s.points = map[pointKey]Point{}
				b.StartTimer()
			}
		}
	})
	b.Run("observe+flush", func(b *testing.B) {
		c := &clock{t: t0}
		s := newStore(b, "", c)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			c.Add(time.Second)
			s.ObserveLimit(rate, float64(i%60), 60, time.Time{})
			if i%500 == 499 {
				mustFlush(b, s)
			}
		}
	})
	b.Run("size-1M", func(b *testing.B) { benchSize(b, time.Second/3) })
	b.Run("size-1M-year", func(b *testing.B) { benchSize(b, 365*24*time.Hour/1_000_000) })
	b.Run("size-busy-year", benchBusyYear)
}

// benchBusyYear fills the store as a year of a busy org leaves it: 3
// limits changing every second and 10 tallies (5 models, created and
// succeeded) every minute. Points older than 48 h would be folded into
// minutes anyway, so those days are recorded a point a minute (the stored
// result is the same size, the benchmark 60 times faster); the last 48 h a
// point a second.
func benchBusyYear(b *testing.B) {
	models := [...]string{"flux-schnell", "flux-dev", "kling-2.6", "veo-3", "eleven-v3"}
	names := [...]string{RateName("requests"), NameQuota, NameCredits}
	var size, used int64
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "history.db")
		c := &clock{t: t0}
		s, err := New(Options{Path: path, Now: c.Now})
		if err != nil {
			b.Fatal(err)
		}
		end := t0.Add(365 * 24 * time.Hour)
		quota := 1e9
		for i := 0; c.Now().Before(end); i++ {
			step := time.Minute
			if end.Sub(c.Now()) <= 48*time.Hour {
				step = time.Second
			}
			c.Add(step)
			quota--
			for k, n := range names {
				s.ObserveLimit(Series{"default", "org_1", n}, float64(i%300)+quota*float64(k/2), 300, time.Time{})
			}
			if step == time.Minute || c.Now().Second() == 0 {
				for _, m := range models {
					s.JobCreated("default", "org_1", m, 1, time.Second)
					s.JobFinished("default", "org_1", m, "succeeded", 0)
				}
			}
			if i%1000 == 999 {
				mustFlush(b, s)
			}
		}
		mustFlush(b, s)
		size, used = fileSizes(b, path)
	}
	b.ReportMetric(float64(size)/1e6, "file-MB")
	b.ReportMetric(float64(used)/1e6, "used-MB")
}

func benchSize(b *testing.B, every time.Duration) {
	const n = 1_000_000
	models := [...]string{"flux-schnell", "flux-dev", "kling-2.6", "veo-3", "eleven-v3"}
	names := [...]string{RateName("requests"), NameQuota, NameCredits}
	var size, used int64
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "history.db")
		c := &clock{t: t0}
		s, err := New(Options{Path: path, Now: c.Now})
		if err != nil {
			b.Fatal(err)
		}
		quota := float64(1 << 40)
		for i := range n {
			c.Add(every)
			se := Series{"default", "org_1", names[i%3]}
			quota--
			s.ObserveLimit(se, float64(i%300)+quota*float64(i%3/2), 300, c.Now().Add(time.Minute))
			s.JobCreated("default", "org_1", models[i%len(models)], 1, time.Second)
			if i%1000 == 999 {
				mustFlush(b, s)
			}
		}
		mustFlush(b, s)
		size, used = fileSizes(b, path)
	}
	b.ReportMetric(float64(size)/1e6, "file-MB")
	b.ReportMetric(float64(used)/1e6, "used-MB")
	b.ReportMetric((every*1_000_000).Hours()/24, "days")
}

// fileSizes returns the file's size (bbolt grows it in steps of up to
// 16 MB ahead of need) and the bytes its pages hold, free pages excluded.
func fileSizes(b *testing.B, path string) (file, used int64) {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		used = tx.Size() - int64(db.Stats().FreePageN+db.Stats().PendingPageN)*int64(db.Info().PageSize)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return st.Size(), used
}
