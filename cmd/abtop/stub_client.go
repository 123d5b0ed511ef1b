package main

// Placeholder until the client feature lands (owner: client).

import (
	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/config"
	"github.com/spf13/cobra"
)

func newStatusCmd(a *app) *cobra.Command  { return &cobra.Command{Use: "status", Hidden: true} }
func newInspectCmd(a *app) *cobra.Command { return &cobra.Command{Use: "inspect", Hidden: true} }

// newClient builds the API client for cfg; observer may be nil.
func (a *app) newClient(cfg config.Config, observer func(apiclient.Observation)) (*apiclient.Client, error) {
	return nil, nil
}
