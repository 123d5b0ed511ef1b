package main

// Placeholder until the sandbox feature lands (owner: sandbox).

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
)

func newSandboxCmd(a *app) *cobra.Command { return &cobra.Command{Use: "sandbox", Hidden: true} }

// startEmbeddedSandbox starts an in-process sandbox on a loopback port for
// --sandbox, registers its shutdown in a.cleanups, and returns its base URL
// and a valid token. traffic adds a simulated second client.
func (a *app) startEmbeddedSandbox(ctx context.Context, traffic bool) (baseURL, token string, err error) {
	return "", "", errors.New("sandbox not built yet")
}
