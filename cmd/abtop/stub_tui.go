package main

// Placeholder until the TUI feature lands (owner: tui).

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) runDashboard(cmd *cobra.Command) error {
	return errors.New("the dashboard is not built yet")
}
