package main

// Placeholder until the queue feature lands (owner: queue).

import "github.com/spf13/cobra"

func newSubmitCmd(a *app) *cobra.Command { return &cobra.Command{Use: "submit", Hidden: true} }
