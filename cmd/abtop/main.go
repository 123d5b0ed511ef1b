// Command abtop is htop for a metered AI-generation API: it watches rate
// limits, quota and credits live and submits batches of jobs without ever
// exceeding them.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, SetMemoryLimit: debug.SetMemoryLimit})
	stop()
	os.Exit(code)
}
