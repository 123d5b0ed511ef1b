package localbudget

import (
	"context"
	"os"
	"time"

	"github.com/abtop-dev/abtop/internal/localstate"
)

// flock(2) locks belong to an open file description: the kernel drops them
// when the last descriptor of it closes, including when the process dies.
// Two opens of one file (two Stores in one process) conflict like two
// processes do. Go opens files close-on-exec, so a child never inherits
// one.

// tryLock takes an exclusive lock on f without waiting (flock on Unix,
// LockFileEx on Windows: localstate owns the platform code). It reports
// false when another open file description holds it.
func tryLock(f *os.File) (bool, error) { return localstate.TryLockFile(f) }

// lock takes an exclusive flock on f, waiting until ctx is done. It polls
// rather than block in flock so a caller is never stuck behind a holder
// that was stopped (SIGSTOP, ^Z) inside its few-microsecond critical
// section: it gets ctx's error instead. Holders are never stuck for
// longer than that section otherwise, so the first tries nearly always
// succeed; the backoff starts far below a millisecond.
func lock(ctx context.Context, f *os.File) error {
	wait := 20 * time.Microsecond
	for {
		ok, err := tryLock(f)
		if err != nil || ok {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Millisecond)
	}
}

func unlock(f *os.File) error { return localstate.UnlockFile(f) }
