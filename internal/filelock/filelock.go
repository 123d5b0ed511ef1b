// Package filelock is the one way abtop processes on a machine take turns
// on a file under the state directory: an exclusive advisory lock on a
// lock file, which the kernel drops when its holder dies, so a killed
// process never leaves a stale lock behind.
package filelock

import "errors"

// ErrLocked is returned by TryLock when another process holds the lock.
var ErrLocked = errors.New("locked by another process")
