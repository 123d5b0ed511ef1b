// Package localstate is the one home of abtop's machine-local state: where it
// lives ($XDG_STATE_HOME/abtop), how a file is named after an organization or
// profile, the lock every process takes around a read-modify-write, and the
// atomic replace every writer uses.
//
// The crash-safety story, told once: a writer takes an advisory lock on a
// separate ".lock" file (flock on Unix, LockFileEx on Windows); the kernel
// drops it when the process dies, so a SIGKILL never leaves a stale lock. The
// data file itself is only ever replaced whole (temporary file in the same
// directory, fsync, rename, fsync of the directory), so a reader without the
// lock sees the old or the new content, never a torn one.
package localstate

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Dir returns $XDG_STATE_HOME/abtop when XDG_STATE_HOME holds an absolute
// path (the XDG spec says relative values are ignored), else
// $HOME/.local/state/abtop. getenv is os.Getenv when nil.
func Dir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "abtop"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither $XDG_STATE_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".local", "state", "abtop"), nil
}

// FileName turns a key that may hold any text (an organization key such as
// "api.example.com/default", a profile name) into a file name that is safe on
// every system and still readable: kind-<cleaned key>-<8 hex of its hash>ext.
// The hash keeps two keys that clean to the same text apart.
func FileName(kind, key, ext string) string {
	var b strings.Builder
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 48 {
			break
		}
	}
	sum := sha256.Sum256([]byte(key))
	return fmt.Sprintf("%s-%s-%s%s", kind, strings.Trim(b.String(), "._"), hex.EncodeToString(sum[:4]), ext)
}

// Lock is an exclusive advisory lock held on path+".lock".
type Lock struct{ f *os.File }

// pollEvery is how often Acquire retries a lock another process holds.
const pollEvery = 5 * time.Millisecond

// Acquire takes the exclusive lock for path, waiting until ctx is done.
// Holders keep it for one read-modify-write, so waits are short; a holder
// that dies releases it with its process.
func Acquire(ctx context.Context, path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state lock %s.lock: %w", path, err)
	}
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("state lock %s.lock: %w", path, err)
		}
		if ok {
			return &Lock{f: f}, nil
		}
		t := time.NewTimer(pollEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("state lock %s.lock: held by another abtop process: %w", path, ctx.Err())
		case <-t.C:
		}
	}
}

// TryLockFile takes an exclusive advisory lock on an open file without
// waiting, and reports false when another open file description holds it.
// It is the primitive for stores that keep their own lock files open (the
// shared budget keeps one per process to say it is alive).
func TryLockFile(f *os.File) (bool, error) { return tryLock(f) }

// UnlockFile drops a lock taken by TryLockFile.
func UnlockFile(f *os.File) error { return unlock(f) }

// ErrLocked is what TryAcquire returns while another process holds the lock.
var ErrLocked = errors.New("locked by another abtop process")

// TryAcquire takes the lock for path if nobody holds it, else returns
// ErrLocked at once. Holding it for a process's lifetime is how a process
// says "I am here" (a running watch): its death releases it.
func TryAcquire(path string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state lock %s.lock: %w", path, err)
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		f.Close()
		if err == nil {
			err = ErrLocked
		}
		return nil, err
	}
	return &Lock{f: f}, nil
}

// Release lets the next process in. Closing the file drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// WriteAtomic replaces path with data: a temporary file in the same
// directory, synced, then renamed over path, then the directory synced, so
// no reader ever sees part of the new content. The file gets perm (0o600
// for anything that may hold a secret).
func WriteAtomic(path string, data []byte, perm os.FileMode) error {
	return replace(path, data, perm, true)
}

// Replace is WriteAtomic without the syncs, for state that only matters to
// processes running now (the status line's latest reading, alert marks):
// readers still never see a torn file, and it costs no disk flush.
func Replace(path string, data []byte, perm os.FileMode) error {
	return replace(path, data, perm, false)
}

// ReplaceWith is Replace with the content written by write as it is made:
// a big file (a published batch of 100,000 rows, ~30 MB) never sits whole
// in memory. An error from write leaves path as it was.
func ReplaceWith(path string, perm os.FileMode, write func(io.Writer) error) error {
	return replaceWith(path, perm, false, func(f io.Writer) error {
		bw := bufio.NewWriterSize(f, 64<<10)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

func replace(path string, data []byte, perm os.FileMode, durable bool) error {
	return replaceWith(path, perm, durable, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func replaceWith(path string, perm os.FileMode, durable bool, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fail(err)
	}
	if err := write(tmp); err != nil {
		return fail(err)
	}
	if durable {
		if err := tmp.Sync(); err != nil {
			return fail(err)
		}
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if durable {
		syncDir(dir)
	}
	return nil
}

// Update runs one locked read-modify-write of path: fn gets the current
// content (nil when the file does not exist yet) and returns the new one;
// a nil result with a nil error leaves the file as it is.
func Update(ctx context.Context, path string, perm os.FileMode, fn func(old []byte) ([]byte, error)) error {
	l, err := Acquire(ctx, path)
	if err != nil {
		return err
	}
	defer l.Release()
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	next, err := fn(old)
	if err != nil || next == nil {
		return err
	}
	return WriteAtomic(path, next, perm)
}
