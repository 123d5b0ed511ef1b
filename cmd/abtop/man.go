package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func newManCmd(a *app) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "man",
		Short: "Print abtop's man page (roff) or write one page per command",
		Long: `Print the abtop(1) man page, in roff, to standard output. It documents every
command, so it is the only page a package needs to install:

  abtop man | gzip > /usr/local/share/man/man1/abtop.1.gz
  abtop man > abtop.1 && man ./abtop.1

With --dir, write instead one page per command (abtop.1, abtop-version.1, ...)
into that directory, creating it if needed.`,
		Args:              cobra.NoArgs,
		PersistentPreRunE: skipRootPreRun,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := manHeader()
			if err != nil {
				return fmt.Errorf("man: %w", err)
			}
			root := cmd.Root()
			if dir != "" {
				return writeManTree(root, h, dir)
			}
			_, err = a.out.Write(combinedManPage(root, h))
			return err
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "write one page per command into this directory instead of printing abtop.1")
	return cmd
}

// manHead is what every page's .TH line says besides its title.
type manHead struct {
	date   time.Time
	source string // "abtop 1.2.3"
}

// manHeader dates the pages by the build date the release stamps into the
// binary, so rebuilding a release yields identical pages. Dev builds have
// none: $SOURCE_DATE_EPOCH, else today.
func manHeader() (manHead, error) {
	h := manHead{date: time.Now(), source: "abtop " + version}
	if t, err := time.Parse(time.RFC3339, date); err == nil {
		h.date = t
	} else if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		secs, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return h, fmt.Errorf("SOURCE_DATE_EPOCH %q is not a number of seconds", epoch)
		}
		h.date = time.Unix(secs, 0)
	}
	return h, nil
}

// combinedManPage is the root page with, instead of a SEE ALSO list
// pointing at per-command pages Homebrew does not install, a COMMANDS
// section describing every visible subcommand.
func combinedManPage(root *cobra.Command, h manHead) []byte {
	var out bytes.Buffer
	writeRoffPage(&out, root, h)
	writeRoffCommands(&out, root)
	return asciiRoff(out.Bytes())
}

// writeManTree writes one page per command, each pointing at its parent
// and children.
func writeManTree(root *cobra.Command, h manHead, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("man: creating --dir %s: %w", dir, err)
	}
	for _, c := range append([]*cobra.Command{root}, visibleSubcommands(root)...) {
		var out bytes.Buffer
		writeRoffPage(&out, c, h)
		writeRoffSeeAlso(&out, c)
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		if err := os.WriteFile(filepath.Join(dir, name), asciiRoff(out.Bytes()), 0o644); err != nil {
			return fmt.Errorf("man: writing pages to --dir %s: %w", dir, err)
		}
	}
	return nil
}
