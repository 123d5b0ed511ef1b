package main

// Placeholder until the config feature lands (owner: config).

import (
	"errors"

	"github.com/abtop-dev/abtop/config"
	"github.com/spf13/cobra"
)

func (a *app) preRun(cmd *cobra.Command) error { return nil }
func newConfigCmd(a *app) *cobra.Command       { return &cobra.Command{Use: "config", Hidden: true} }

// loadConfig returns the validated config of the selected profile (cached).
func (a *app) loadConfig() (config.Config, error) {
	return config.Config{}, errors.New("config not built yet")
}
