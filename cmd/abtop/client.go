package main

import (
	"os"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/config"
)

// newClient builds the API client for cfg; observer may be nil. The token
// was validated by config; apiclient checks the URL again (defence in depth).
func (a *app) newClient(cfg config.Config, observer func(apiclient.Observation)) (*apiclient.Client, error) {
	return a.newClientAt(cfg, observer, nil)
}

// newClientAt is newClient with the clock the budget decides on (orgBudget.Now,
// the Redis server's when the budget is shared), so waits the client computes
// from reset times agree with every peer's; nil means time.Now.
func (a *app) newClientAt(cfg config.Config, observer func(apiclient.Observation), now func() time.Time) (*apiclient.Client, error) {
	return apiclient.New(apiclient.Options{
		Now:               now,
		BaseURL:           cfg.BaseURL,
		Token:             cfg.Token,
		Version:           version,
		Timeout:           cfg.Timeout,
		Observer:          observer,
		AllowInsecureHTTP: cfg.AllowInsecureHTTP,
	})
}

// outputColor reports whether status and inspect may colour their output:
// not with --no-color, NO_COLOR or the config's no_color, and only on a
// terminal (a pipe or a test buffer gets plain text).
func (a *app) outputColor(cfgNoColor bool) bool {
	if cfgNoColor || a.v.GetBool("no-color") || os.Getenv("NO_COLOR") != "" {
		return false
	}
	on := isTerminal(a.out)
	a.out.SetColor(on)
	return on
}
