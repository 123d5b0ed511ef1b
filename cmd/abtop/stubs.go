package main

// Placeholders replaced by each feature's own file.

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) preRun(cmd *cobra.Command) error { return nil }
func (a *app) runDashboard(cmd *cobra.Command) error {
	return errors.New("the dashboard is not built yet")
}
func newConfigCmd(a *app) *cobra.Command     { return &cobra.Command{Use: "config", Hidden: true} }
func newStatusCmd(a *app) *cobra.Command     { return &cobra.Command{Use: "status", Hidden: true} }
func newInspectCmd(a *app) *cobra.Command    { return &cobra.Command{Use: "inspect", Hidden: true} }
func newSandboxCmd(a *app) *cobra.Command    { return &cobra.Command{Use: "sandbox", Hidden: true} }
func newSubmitCmd(a *app) *cobra.Command     { return &cobra.Command{Use: "submit", Hidden: true} }
func newManCmd(a *app) *cobra.Command        { return &cobra.Command{Use: "man", Hidden: true} }
func newCompletionCmd(a *app) *cobra.Command { return &cobra.Command{Use: "completion", Hidden: true} }
