package history

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// clock is an injected, settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func newStore(t testing.TB, path string, c *clock) *Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "history.db")
	}
	s, err := New(Options{Path: path, Now: c.Now, LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustFlush(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
}

var rate = Series{"default", "org_1", RateName("requests")}

func TestObserveKeepsChangesAtMostOncePerSecond(t *testing.T) {
	c := &clock{t: t0}
	s := newStore(t, "", c)
	reset := t0.Add(time.Minute)
	s.ObserveLimit(rate, 60, 60, reset)
	s.ObserveLimit(rate, 60, 60, reset.Add(400*time.Millisecond)) // same: skipped
	c.Add(300 * time.Millisecond)
	s.ObserveLimit(rate, 59, 60, reset) // same second: folded
	s.ObserveLimit(rate, 57, 60, reset)
	c.Add(time.Second)
	s.ObserveLimit(rate, 57, 60, reset) // unchanged: skipped
	c.Add(time.Second)
	s.ObserveLimit(rate, 50, 60, reset)
	mustFlush(t, s)

	got, err := s.Points(rate, t0, t0.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Point{
		{At: t0, Remaining: 57, Min: 57, Max: 60, Limit: 60, Reset: reset, N: 3},
		{At: t0.Add(2 * time.Second), Remaining: 50, Min: 50, Max: 50, Limit: 60, Reset: reset, N: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("points = %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) || !got[i].Reset.Equal(want[i].Reset) {
			t.Errorf("point %d at %v reset %v, want %v reset %v", i, got[i].At, got[i].Reset, want[i].At, want[i].Reset)
		}
		got[i].At, got[i].Reset = want[i].At, want[i].Reset
		if got[i] != want[i] {
			t.Errorf("point %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestPointsBeforeFlushAreVisible(t *testing.T) {
	c := &clock{t: t0}
	s := newStore(t, "", c)
	s.ObserveLimit(rate, 10, 60, time.Time{})
	got, err := s.Points(rate, t0.Add(-time.Minute), t0.Add(time.Minute), 0)
	if err != nil || len(got) != 1 || got[0].Remaining != 10 {
		t.Fatalf("Points = %+v, %v; want the buffered point", got, err)
	}
}

func TestPointsStepFoldsSpans(t *testing.T) {
	c := &clock{t: t0}
	s := newStore(t, "", c)
	for i := range 120 { // two minutes, one point a second
		s.ObserveLimit(rate, float64(100-i), 100, time.Time{})
		c.Add(time.Second)
	}
	mustFlush(t, s)
	got, err := s.Points(rate, t0, t0.Add(time.Hour), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d spans, want 2: %+v", len(got), got)
	}
	if g := got[1]; g.Remaining != -19 || g.Min != -19 || g.Max != 40 || g.N != 60 || !g.At.Equal(t0.Add(time.Minute)) {
		t.Errorf("second span = %+v, want last -19, min -19, max 40, 60 observations", g)
	}
}

func TestTalliesAddUp(t *testing.T) {
	c := &clock{t: t0}
	s := newStore(t, "", c)
	s.JobCreated("default", "org_1", "flux", 3, 2*time.Second)
	s.JobCreated("default", "org_1", "flux", 3, time.Second)
	s.Throttled("default", "org_1", "flux", 30*time.Second)
	mustFlush(t, s)
	s.JobCreated("default", "org_1", "flux", 3, 0) // same minute, second flush: added
	s.JobFinished("default", "org_1", "flux", "failed", 3)
	mustFlush(t, s)

	rows, err := s.Rows(t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var sum Tally
	for _, r := range rows {
		sum = sum.Add(r.Tally)
	}
	want := Tally{Created: 3, Finished: 1, Charged: 9, Refunded: 3, Writes: 3, Throttled: 1, RetryWait: 30 * time.Second, Waited: 3 * time.Second}
	if sum != want || sum.Credits() != 6 {
		t.Errorf("sum = %+v, want %+v", sum, want)
	}
	if len(rows) != 3 {
		t.Errorf("got %d rows, want 3 (created, failed, throttle): %+v", len(rows), rows)
	}
}

// Two processes record into one file at the same time; each opens it only
// to flush. (bbolt's flock conflicts between two opens in one process as
// between two processes.)
func TestTwoStoresShareOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	c := &clock{t: t0}
	var wg sync.WaitGroup
	for _, profile := range []string{"a", "b"} {
		s, err := New(Options{Path: path, Now: c.Now, LockTimeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for range 10 {
				s.JobCreated(profile, "org_1", "flux", 1, 0)
				s.ObserveLimit(Series{profile, "org_1", NameQuota}, 5, 10, time.Time{})
				if err := s.Flush(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	rows, err := newStore(t, path, c).Rows(t0, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Created != 10 || rows[1].Created != 10 {
		t.Fatalf("rows = %+v, want 10 jobs for each profile", rows)
	}
	if ls, err := newStore(t, path, c).ListSeries(); err != nil || len(ls) != 2 {
		t.Fatalf("series = %v, %v; want one per profile", ls, err)
	}
}

// While another process holds the file, Flush fails within LockTimeout and
// keeps its buffer; the next Flush writes it.
func TestFlushKeepsBufferWhileLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	c := &clock{t: t0}
	s := newStore(t, path, c)
	s.JobCreated("p", "o", "m", 2, 0)
	s.ObserveLimit(rate, 5, 10, time.Time{})
	mustFlush(t, s) // creates the file
	s.JobCreated("p", "o", "m", 2, 0)
	s.ObserveLimit(rate, 4, 10, time.Time{})

	other, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err == nil {
		t.Fatal("Flush succeeded while another process held the file")
	}
	s.JobCreated("p", "o", "m", 2, 0) // arrives while the first buffer waits
	other.Close()
	mustFlush(t, s)
	rows, err := s.Rows(t0, t0.Add(time.Minute))
	if err != nil || len(rows) != 1 || rows[0].Created != 3 || rows[0].Charged != 6 {
		t.Fatalf("rows = %+v, %v; want 3 jobs, 6 credits", rows, err)
	}
	pts, _ := s.Points(rate, t0, t0.Add(time.Minute), 0)
	if len(pts) != 1 || pts[0].Remaining != 4 || pts[0].Max != 5 {
		t.Fatalf("points = %+v, want one folded point ending at 4", pts)
	}
}

func TestNoFileMeansNoHistory(t *testing.T) {
	s := newStore(t, "", &clock{t: t0})
	if rows, err := s.Rows(t0, t0.Add(time.Hour)); err != nil || len(rows) != 0 {
		t.Fatalf("Rows = %v, %v", rows, err)
	}
	if ls, err := s.ListSeries(); err != nil || len(ls) != 0 {
		t.Fatalf("ListSeries = %v, %v", ls, err)
	}
}

func TestRetentionValidate(t *testing.T) {
	for _, r := range []Retention{
		{Raw: time.Hour, Minute: time.Minute, Hour: 2 * time.Hour},
		{Raw: time.Hour, Minute: 2 * time.Hour, Hour: time.Hour},
		{Raw: 0, Minute: time.Hour, Hour: time.Hour},
	} {
		if _, err := New(Options{Path: "x", Retention: r}); err == nil {
			t.Errorf("New accepted retention %+v", r)
		}
	}
}
