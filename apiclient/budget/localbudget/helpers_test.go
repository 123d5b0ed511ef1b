package localbudget

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/internal/syncbuf"
)

var (
	bg = context.Background()
	t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
)

func open(t testing.TB, dir, org string, o Options) *Store {
	t.Helper()
	s, err := Open(bg, dir, org, o)
	if err != nil {
		t.Fatalf("Open(%s, %q): %v", dir, org, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// answer is a plain 200 of a window of limit with remaining left that
// resets resetAfter after received.
func answer(at time.Time, settle, limit, remaining int64, resetAfter time.Duration) budget.Observation {
	return budget.Observation{
		Sent: at, Received: at, Settle: settle,
		HasRate: true, Limit: limit, Remaining: remaining,
		HasReset: true, ResetAfter: resetAfter,
		WindowID: at.Add(resetAfter).Truncate(time.Second),
	}
}

func snapshot(t testing.TB, s *Store) budget.State {
	t.Helper()
	st, err := s.Snapshot(bg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// logBuffer is a slog handler target safe for concurrent writes.
type logBuffer struct{ syncbuf.Buffer }

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }
