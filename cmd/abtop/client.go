package main

import (
	"io"
	"os"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/session"
)

// newClient builds the API client for cfg; observer may be nil.
// Its responses also refresh the profile's status line state, as every
// abtop process's do.
func (a *app) newClient(cfg config.Config, observer func(apiclient.Observation)) (*apiclient.Client, error) {
	if rec := session.Recorder(a.stateDir(), cfg.Profile, nil); rec != nil {
		observer = session.FanOut(observer, rec.Observe)
	}
	return session.NewClient(cfg, version, observer, nil)
}

// noColor is the one place abtop decides against colour: --no-color,
// NO_COLOR (any non-empty value, https://no-color.org) or the config's
// no_color. inspect runs without a config, so the flag and the variable are
// read here too, not only through config.
func (a *app) noColor(cfgNoColor bool) bool {
	return cfgNoColor || a.v.GetBool("no-color") || os.Getenv("NO_COLOR") != ""
}

// outputColor reports whether status and inspect may colour their output:
// not when noColor says so, and only on a terminal (a pipe or a test buffer
// gets plain text).
func (a *app) outputColor(cfgNoColor bool) bool {
	on := !a.noColor(cfgNoColor) && isTerminal(a.out)
	a.out.SetColor(on)
	return on
}

// isTerminal reports whether x is a character device (a terminal); a
// termsafe writer is judged by the stream it wraps.
func isTerminal(x any) bool {
	if u, ok := x.(interface{ Underlying() io.Writer }); ok {
		x = u.Underlying()
	}
	f, ok := x.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
