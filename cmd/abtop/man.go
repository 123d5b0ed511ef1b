package main

import (
	"bytes"
	"fmt"
	"os"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
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
			root := cmd.Root()
			// The pages must be reproducible: no "Auto generated on <today>"
			// trailer (subcommands inherit this from the root).
			root.DisableAutoGenTag = true
			if dir != "" {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return fmt.Errorf("man: creating --dir %s: %w", dir, err)
				}
				if err := doc.GenManTree(root, manHeader(), dir); err != nil {
					return fmt.Errorf("man: writing pages to --dir %s: %w", dir, err)
				}
				return nil
			}
			page, err := combinedManPage(root)
			if err != nil {
				return err
			}
			_, err = a.out.Write(page)
			return err
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "write one page per command into this directory instead of printing abtop.1")
	return cmd
}

// manHeader dates the pages by the build date the release stamps into the
// binary, so rebuilding a release yields identical pages. Dev builds leave
// Date nil: cobra then uses $SOURCE_DATE_EPOCH, else today.
func manHeader() *doc.GenManHeader {
	h := &doc.GenManHeader{
		Section: "1",
		Source:  "abtop " + version,
		Manual:  "abtop manual",
	}
	if t, err := time.Parse(time.RFC3339, date); err == nil {
		h.Date = &t
	}
	return h
}

// combinedManPage renders the root page with cobra/doc and replaces its SEE
// ALSO list (which points at per-command pages Homebrew does not install)
// with a COMMANDS section describing every visible subcommand.
func combinedManPage(root *cobra.Command) ([]byte, error) {
	var buf bytes.Buffer
	if err := doc.GenMan(root, manHeader(), &buf); err != nil {
		return nil, fmt.Errorf("man: rendering the root page: %w", err)
	}
	page := buf.Bytes()
	if i := bytes.Index(page, []byte("\n.SH SEE ALSO")); i >= 0 {
		page = page[:i+1]
	}
	var out bytes.Buffer
	out.Write(page)
	writeRoffCommands(&out, root)
	return asciiRoff(out.Bytes()), nil
}

// asciiRoff replaces every non-ASCII rune (the help text uses "…", "—",
// "×") with groff's \[uXXXX] escape: plain troff reads input as Latin-1 and
// would print mojibake where man-db's preconv is not in the pipeline.
func asciiRoff(page []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(page))
	for _, r := range string(page) {
		if r < utf8.RuneSelf {
			out.WriteRune(r)
			continue
		}
		fmt.Fprintf(&out, `\[u%04X]`, r)
	}
	return out.Bytes()
}
