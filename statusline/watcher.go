package statusline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/abtop-dev/abtop/internal/localstate"
)

// ErrWatched is returned by ClaimWatcher when another process already
// keeps the profile's state fresh.
var ErrWatched = errors.New("another abtop watch keeps this profile fresh")

func watcherLock(dir, profile string) (string, error) {
	p, err := Path(dir, profile)
	if err != nil {
		return "", err
	}
	return p + ".watch", nil
}

// ClaimWatcher marks profile as kept fresh by this process (`abtop watch`)
// until release is called or the process dies: a status line that finds
// its state old then waits for the watcher instead of spending a request.
func ClaimWatcher(dir, profile string) (release func(), err error) {
	p, err := watcherLock(dir, profile)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, fmt.Errorf("statusline: %w", err)
	}
	l, err := localstate.TryAcquire(p)
	if errors.Is(err, localstate.ErrLocked) {
		return nil, ErrWatched
	}
	if err != nil {
		return nil, fmt.Errorf("statusline: %w", err)
	}
	return func() { _ = l.Release() }, nil
}

// Watched reports whether some process holds ClaimWatcher for profile.
func Watched(dir, profile string) bool {
	p, err := watcherLock(dir, profile)
	if err != nil {
		return false
	}
	if _, err := os.Stat(p + ".lock"); err != nil {
		return false // never claimed: do not create files just to look
	}
	l, err := localstate.TryAcquire(p)
	if err != nil {
		return errors.Is(err, localstate.ErrLocked)
	}
	_ = l.Release()
	return false
}
