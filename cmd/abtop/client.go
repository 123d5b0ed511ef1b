package main

import (
	"os"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/session"
)

// newClient builds the API client for cfg; observer may be nil.
func (a *app) newClient(cfg config.Config, observer func(apiclient.Observation)) (*apiclient.Client, error) {
	return session.NewClient(cfg, version, observer, nil)
}

// outputColor reports whether status and inspect may colour their output:
// not with --no-color, NO_COLOR or the config's no_color, and only on a
// terminal (a pipe or a test buffer gets plain text).
func (a *app) outputColor(cfgNoColor bool) bool {
	if cfgNoColor || a.v.GetBool("no-color") || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := a.out.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
