package main

import (
	"context"
	"fmt"

	"github.com/abtop-dev/abtop/config"
	"github.com/spf13/cobra"
)

// configState is the per-run cache behind loadConfig. It never prints its
// contents, so a stray %v cannot leak the token.
type configState struct {
	cmd    *cobra.Command
	loaded bool
	cfg    config.Config
	err    error
}

func (s *configState) String() string   { return "(abtop config state)" }
func (s *configState) GoString() string { return s.String() }

func (a *app) state() *configState { return &a.conf }

// preRun runs before every command. It stays cheap (no file, no network):
// it remembers the command (its flags go to config.Load, which binds the
// settings' flags itself) and binds, for the commands' own use, the flags
// they read before or besides the config: --profile as a list (a,b),
// --no-color for inspect, which runs without a config.
func (a *app) preRun(cmd *cobra.Command) error {
	a.state().cmd = cmd
	for _, name := range []string{"config", "token-file", "sandbox", "traffic", "profile", "no-color"} {
		if f := cmd.Flags().Lookup(name); f != nil {
			if err := a.v.BindPFlag(name, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadOptions hands config.Load the running command's flags: it binds
// those of its settings the command has (viper: flag > env > file >
// default).
func (a *app) loadOptions() config.LoadOptions {
	opts := config.LoadOptions{
		ConfigFile: a.v.GetString("config"),
		TokenFile:  a.v.GetString("token-file"),
	}
	if c := a.state().cmd; c != nil {
		opts.Flags = c.Flags()
	}
	return opts
}

// ctx is the running command's context (Background before preRun).
func (a *app) ctx() context.Context {
	if c := a.state().cmd; c != nil && c.Context() != nil {
		return c.Context()
	}
	return context.Background()
}

// loadWithReport loads and validates the config. With --sandbox it first
// starts the embedded sandbox, whose base URL and token beat every other
// source.
func (a *app) loadWithReport(opts config.LoadOptions) (config.Config, config.Report, error) {
	if a.v.GetBool("sandbox") {
		baseURL, token, err := a.startEmbeddedSandbox(a.ctx(), a.v.GetBool("traffic"))
		if err != nil {
			return config.Config{}, config.Report{}, fmt.Errorf("--sandbox: %w", err)
		}
		opts.Sandbox = &config.SandboxOverride{BaseURL: baseURL, Token: token}
		cfg, rep, err := config.Load(opts)
		if err == nil && cfg.Limiter == "" {
			// The embedded sandbox lives and dies with this process on a
			// fresh port: no other process can share its budget, and a
			// machine-wide budget file would only be left behind.
			cfg.Limiter = "memory"
		}
		return cfg, rep, err
	}
	return config.Load(opts)
}

// loadConfig returns the validated config of the selected profile. It loads
// once per run (so --sandbox starts one sandbox) and prints the warnings to
// stderr.
func (a *app) loadConfig() (config.Config, error) {
	s := a.state()
	if s.loaded {
		return s.cfg, s.err
	}
	cfg, rep, err := a.loadWithReport(a.loadOptions())
	a.printWarnings(rep.Warnings)
	s.loaded, s.cfg, s.err = true, cfg, err
	return cfg, err
}

func (a *app) printWarnings(ws []config.Problem) {
	for _, w := range ws {
		fmt.Fprintln(a.errOut, "abtop: warning:", w.String())
	}
}
