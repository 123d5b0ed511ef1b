package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/abtop-dev/abtop/internal/termsafe"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

type streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// SetMemoryLimit is debug.SetMemoryLimit in the real binary; nil in
	// tests, which share one process (see memlimit.go).
	SetMemoryLimit func(int64) int64
}

// app is what every command shares: the streams, viper with the flags bound,
// and hooks set by --sandbox. It holds no package-level state so tests can
// run many commands side by side.
type app struct {
	in io.Reader
	// out and errOut escape every control character on the way to the
	// terminal (termsafe): server text is printed, never obeyed, whatever
	// path prints it. Only the dashboard, which escapes its own cells,
	// writes to the raw stream (rawOut).
	out      *termsafe.Writer
	errOut   *termsafe.Writer
	rawOut   io.Writer
	v        *viper.Viper
	cleanups []func()
	conf     configState // per-run cache behind loadConfig
	// setMemoryLimit is streams.SetMemoryLimit.
	setMemoryLimit func(int64) int64
	memoryLimit    int64 // the highest limit set so far: a later guess never lowers it
}

// exitError carries a specific exit code without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// newApp wraps the streams: every command prints through the escaping
// writers.
func newApp(s streams) *app {
	return &app{in: s.In, out: termsafe.New(s.Out), errOut: termsafe.New(s.Err), rawOut: s.Out, v: viper.New(), setMemoryLimit: s.SetMemoryLimit}
}

func run(ctx context.Context, args []string, s streams) int {
	a := newApp(s)
	defer a.cleanup()
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(a.out)
	root.SetErr(a.errOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(a.errOut, "abtop:", err)
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
	root.Flags().Bool("all-profiles", false, "show every profile of the config file, one row each, v switches the detailed view (also --profile a,b)")
	pf := root.PersistentFlags()
	pf.String("config", "", "config file (default $XDG_CONFIG_HOME/abtop/config.yaml)")
	pf.String("profile", "", "profile to use (default: the file's default_profile, else \"default\")")
	pf.String("base-url", "", "API base URL (default https://api.abstrakt.dev)")
	pf.String("token-file", "", "read the API token from this file (tokens never go on the command line)")
	pf.Bool("allow-insecure-http", false, "allow sending the token over plain http:// to a non-loopback host")
	pf.String("poll-interval", "", "dashboard polling interval, 1s–10m (default 5s)")
	pf.String("timeout", "", "per-request timeout, 1s–5m (default 30s)")
	pf.String("journal", "", "queue journal file (default $XDG_STATE_HOME/abtop/queue.db)")
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
		newJobsCmd(a),
		newCompletionCmd(a),
		newManCmd(a),
		newWatchCmd(a),
		newStatuslineCmd(a),
	)
	return root
}
