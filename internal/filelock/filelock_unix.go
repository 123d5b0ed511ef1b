//go:build unix

package filelock

import (
	"os"

	"golang.org/x/sys/unix"
)

// Lock waits for the exclusive lock on path (created 0600 when missing).
func Lock(path string) (unlock func(), err error) { return lock(path, unix.LOCK_EX) }

// TryLock takes the lock on path or returns ErrLocked at once.
func TryLock(path string) (unlock func(), err error) {
	unlock, err = lock(path, unix.LOCK_EX|unix.LOCK_NB)
	if err == unix.EWOULDBLOCK {
		return nil, ErrLocked
	}
	return unlock, err
}

func lock(path string, how int) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
}
