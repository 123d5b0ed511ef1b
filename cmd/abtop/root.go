package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

type streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// app is what every command shares: the streams, viper with the flags bound,
// and hooks set by --sandbox. It holds no package-level state so tests can
// run many commands side by side.
type app struct {
	in       io.Reader
	out      io.Writer
	errOut   io.Writer
	v        *viper.Viper
	cleanups []func()
	conf     configState // per-run cache behind loadConfig
}

// exitError carries a specific exit code without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func run(ctx context.Context, args []string, s streams) int {
	a := &app{in: s.In, out: s.Out, errOut: s.Err, v: viper.New()}
	defer a.cleanup()
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(s.Err, "abtop:", err)
	return 1
}

func (a *app) cleanup() {
	for i := len(a.cleanups) - 1; i >= 0; i-- {
		a.cleanups[i]()
	}
	a.cleanups = nil
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "abtop",
		Short: "A live monitor and batch submitter for the abstrakt /v1 API",
		Long: `abtop watches an abstrakt API token's rate limit, monthly quota, credits and
running jobs live, and submits batches of jobs without ever exceeding them.

Run "abtop --sandbox" to try it against a built-in fake API.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.preRun(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runDashboard(cmd)
		},
	}
	pf := root.PersistentFlags()
	pf.String("config", "", "config file (default $XDG_CONFIG_HOME/abtop/config.yaml)")
	pf.String("profile", "", "profile to use (default: the file's default_profile, else \"default\")")
	pf.String("base-url", "", "API base URL (default https://api.abstrakt.dev)")
	pf.String("token-file", "", "read the API token from this file (tokens never go on the command line)")
	pf.Bool("no-color", false, "disable colour (also NO_COLOR=1)")
	pf.Bool("sandbox", false, "run against an embedded sandbox API with a generated token")
	pf.String("limiter", "", "share the organization's budget with other abtop processes: redis://[user:pass@]host:port/db[?org=NAME]")

	root.AddCommand(
		newVersionCmd(a),
		newConfigCmd(a),
		newStatusCmd(a),
		newInspectCmd(a),
		newSandboxCmd(a),
		newSubmitCmd(a),
		newReportCmd(a),
		newResultsCmd(a),
		newCompletionCmd(a),
		newManCmd(a),
		newWatchCmd(a),
		newStatuslineCmd(a),
	)
	return root
}
