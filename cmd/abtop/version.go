package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// Set by the release build: -X main.version=… -X main.commit=… -X main.date=…
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print abtop's version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(a.out, "abtop %s (commit %s, built %s, %s/%s)\n", version, commit, date, runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
