package main

// Placeholder until the release feature lands (owner: release).

import "github.com/spf13/cobra"

func newManCmd(a *app) *cobra.Command        { return &cobra.Command{Use: "man", Hidden: true} }
func newCompletionCmd(a *app) *cobra.Command { return &cobra.Command{Use: "completion", Hidden: true} }
