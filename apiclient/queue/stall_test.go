package queue

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
)

func TestStallDeadline(t *testing.T) {
	ms := time.Millisecond
	repeat := func(d time.Duration, n int) []time.Duration {
		s := make([]time.Duration, n)
		for i := range s {
			s[i] = d
		}
		return s
	}
	for _, tc := range []struct {
		name          string
		samples       []time.Duration
		want, overdue time.Duration
	}{
		{"too few answers: the client's own timeout", repeat(100*ms, latencyMinSeen-1), 0, 0},
		{"fast answers: the floors", repeat(10*ms, latencyMinSeen), stallFloor, overdueFloor},
		{"4x (2x) the 90th percentile", repeat(800*ms, latencyMinSeen), 3200 * ms, 1600 * ms},
		{"a few slow ones above the 90th percentile do not count",
			append(repeat(800*ms, 60), 5*time.Second, 5*time.Second, 5*time.Second, 5*time.Second), 3200 * ms, 1600 * ms},
		{"more than a tenth given up at 3.2 s: the next deadline is 4x longer",
			append(repeat(800*ms, 50), repeat(3200*ms, 14)...), 12800 * ms, 6400 * ms},
		{"only the last 64 count", append(repeat(3*time.Second, 64), repeat(100*ms, 64)...), stallFloor, overdueFloor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l latencies
			for _, d := range tc.samples {
				l.add(d)
			}
			if got := l.deadline(); got != tc.want {
				t.Errorf("deadline %v, want %v", got, tc.want)
			}
			if got := l.overdue(); got != tc.overdue {
				t.Errorf("overdue after %v, want %v", got, tc.overdue)
			}
		})
	}
}

// A request the server holds without answering is given up at its
// kind's deadline (not the client's 5 s here) and retried, and the retry
// line says the deadline it was given.
func TestAStalledAttemptIsGivenUpAtItsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewScheduler(Options{Store: budget.NewMemory(budget.PlanNamed("team")), Jitter: func() float64 { return 0 }})
		answer := func(ctx context.Context) (apiclient.Meta, error) {
			time.Sleep(200 * time.Millisecond)
			return apiclient.Meta{Status: 200}, nil
		}
		for range latencyMinSeen {
			if err := s.Do(bg, Call{Kind: KindCreate}, answer); err != nil {
				t.Fatal(err)
			}
		}
		var waits []string
		attempts := 0
		var held time.Duration
		stalled := func(ctx context.Context) (apiclient.Meta, error) {
			attempts++
			if attempts > 1 {
				return answer(ctx)
			}
			began := time.Now()
			select { // the client's own timeout
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
			}
			held = time.Since(began)
			return apiclient.Meta{}, &apiclient.TransportError{Method: "POST", Path: "/v1/jobs", Timeout: true, After: 5 * time.Second, Err: context.DeadlineExceeded}
		}
		err := s.Do(bg, Call{Kind: KindCreate, Retry: true, OnWait: func(w Wait) {
			if w.Reason == ReasonBackoff {
				waits = append(waits, w.Text)
			}
		}}, stalled)
		if err != nil {
			t.Fatal(err)
		}
		// 800 ms (4x the 200 ms answers) is under the floor: 1 s.
		if held != stallFloor || attempts != 2 {
			t.Errorf("%d attempts, the stalled one held %v; want 2, held %v", attempts, held, stallFloor)
		}
		if len(waits) != 1 || !strings.Contains(waits[0], "no response within 2s") {
			t.Errorf("retry lines %q, want one saying no response within 2s", waits)
		}
	})
}

var bg = context.Background()
