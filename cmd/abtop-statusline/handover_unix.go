//go:build unix

package main

import (
	"os"
	"syscall"
)

// handOver replaces this process with "abtop statusline ARGS": same pid,
// stdin (still unread), stdout and exit code, so tmux or an editor sees
// one command. It returns only when that is impossible.
func handOver(argv []string) error {
	path, err := abtopPath()
	if err != nil {
		return err
	}
	return syscall.Exec(path, append([]string{path, "statusline"}, argv...), os.Environ())
}
