//go:build !unix

package main

import (
	"errors"
	"os"
	"os/exec"
)

// handOver runs "abtop statusline ARGS" with this process's stdin, stdout
// and stderr, and exits with its code (Windows cannot replace a process).
// It returns only when abtop cannot be started.
func handOver(argv []string) error {
	path, err := abtopPath()
	if err != nil {
		return err
	}
	cmd := exec.Command(path, append([]string{"statusline"}, argv...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		return err
	}
	os.Exit(0)
	return nil
}
