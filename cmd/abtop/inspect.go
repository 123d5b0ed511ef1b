package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/abtop-dev/abtop/apiclient/inspect"
	"github.com/spf13/cobra"
)

// maxInspectInput caps what inspect reads: a saved response, not a download.
const maxInspectInput = 16 << 20

func newInspectCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inspect [FILE]",
		Short: "Explain one raw HTTP response (as curl -si prints it): limits, wait, error",
		Long: `inspect reads one HTTP response as "curl -si" prints it, from FILE or stdin,
and explains it: each rate limit with a bar, the monthly quota, credits, the
wait before a retry and the error in plain words, using the same parsers as
the rest of abtop. If several responses are concatenated (100 Continue, a
proxy's CONNECT, redirects) the last one is explained.

Malformed headers or bodies are explained, not fatal (exit 0); input that is
not an HTTP response at all exits 1 with a one-line error.`,
		Example: `  curl -si https://api.abstrakt.dev/v1/balance -H "Authorization: Bearer $ABTOP_TOKEN" | abtop inspect
  abtop inspect testdata/sample-429.txt
  abtop inspect --json testdata/sample-429.txt`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			asJSON, _ := cmd.Flags().GetBool("json")
			name := "stdin"
			in := a.in
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				name, in = args[0], f
			}
			raw, err := io.ReadAll(io.LimitReader(in, maxInspectInput+1))
			if err != nil {
				return fmt.Errorf("reading %s: %w", name, err)
			}
			if len(raw) > maxInspectInput {
				return fmt.Errorf("%s: larger than %d MiB; inspect reads one saved response", name, maxInspectInput>>20)
			}
			rep, err := inspect.Parse(raw, time.Now())
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if asJSON {
				enc := json.NewEncoder(a.out)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return rep.Human(a.out, a.outputColor(false))
		},
	}
	cmd.Flags().Bool("json", false, "print the report as one JSON object")
	return cmd
}
