package main

// The man pages are written here, in roff, rather than by cobra/doc: that
// goes through markdown (go-md2man and blackfriday), whose package init
// every abtop command paid for at start-up.

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// writeRoffPage writes c's page up to its options: the header, NAME,
// SYNOPSIS, DESCRIPTION, OPTIONS and, below the root, the inherited ones.
func writeRoffPage(out *bytes.Buffer, c *cobra.Command, h manHead) {
	c.InitDefaultHelpFlag()
	title := strings.ToUpper(strings.ReplaceAll(c.CommandPath(), " ", `\-`))
	fmt.Fprintf(out, ".nh\n.TH \"%s\" \"1\" \"%s\" \"%s\" \"abtop manual\"\n", title, h.date.Format("Jan 2006"), roffEscape(h.source))
	fmt.Fprintf(out, ".SH NAME\n%s \\- %s\n", roffEscape(strings.ReplaceAll(c.CommandPath(), " ", "-")), roffEscape(c.Short))
	fmt.Fprintf(out, ".SH SYNOPSIS\n.PP\n\\fB%s\\fP\n", roffEscape(c.UseLine()))
	desc := c.Long
	if desc == "" {
		desc = c.Short
	}
	out.WriteString(".SH DESCRIPTION\n")
	writeRoffText(out, desc)
	if f := c.NonInheritedFlags(); f.HasAvailableFlags() {
		out.WriteString(".SH OPTIONS\n")
		writeRoffFlags(out, f)
	}
	if f := c.InheritedFlags(); f.HasAvailableFlags() {
		out.WriteString(".SH OPTIONS INHERITED FROM PARENT COMMANDS\n")
		writeRoffFlags(out, f)
	}
}

// writeRoffSeeAlso points a per-command page at its parent's and
// children's pages.
func writeRoffSeeAlso(out *bytes.Buffer, c *cobra.Command) {
	var refs []string
	if c.HasParent() {
		refs = append(refs, strings.ReplaceAll(c.Parent().CommandPath(), " ", "-"))
	}
	for _, child := range visibleSubcommands(c) {
		if child.Parent() == c {
			refs = append(refs, strings.ReplaceAll(child.CommandPath(), " ", "-"))
		}
	}
	if len(refs) == 0 {
		return
	}
	out.WriteString(".SH SEE ALSO\n")
	for i, r := range refs {
		sep := ","
		if i == len(refs)-1 {
			sep = ""
		}
		fmt.Fprintf(out, ".BR %s (1)%s\n", roffEscape(r), sep)
	}
}

// writeRoffCommands appends a COMMANDS section to a man page: for every
// visible command below root, depth first and by name, its synopsis, its
// description and its own flags. Global flags are left to OPTIONS.
func writeRoffCommands(out *bytes.Buffer, root *cobra.Command) {
	cmds := visibleSubcommands(root)
	if len(cmds) == 0 {
		return
	}
	out.WriteString(".SH COMMANDS\n")
	out.WriteString(".PP\nThe options listed under OPTIONS apply to every command.\n")
	for _, c := range cmds {
		fmt.Fprintf(out, ".SS %s\n", roffEscape(c.CommandPath()))
		fmt.Fprintf(out, ".PP\n\\fB%s\\fP\n", roffEscape(c.UseLine()))
		desc := c.Long
		if desc == "" {
			desc = c.Short
		}
		writeRoffText(out, desc)
		writeRoffFlags(out, c.NonInheritedFlags())
	}
}

// visibleSubcommands lists the commands a user can run below root (not
// hidden, deprecated or the help command), parents before children.
func visibleSubcommands(root *cobra.Command) []*cobra.Command {
	children := append([]*cobra.Command(nil), root.Commands()...)
	sort.Slice(children, func(i, j int) bool { return children[i].Name() < children[j].Name() })
	var out []*cobra.Command
	for _, c := range children {
		if !c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand() {
			continue
		}
		out = append(out, c)
		out = append(out, visibleSubcommands(c)...)
	}
	return out
}

// writeRoffText keeps the help text's layout: blank lines start paragraphs
// and indented lines (examples) are shown as written, without filling.
func writeRoffText(out *bytes.Buffer, text string) {
	out.WriteString(".PP\n")
	inExample := false
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		indented := strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")
		switch {
		case strings.TrimSpace(line) == "":
			if inExample {
				out.WriteString(".fi\n.RE\n")
				inExample = false
			}
			out.WriteString(".PP\n")
			continue
		case indented && !inExample:
			out.WriteString(".RS 4\n.nf\n")
			inExample = true
		case !indented && inExample:
			out.WriteString(".fi\n.RE\n")
			inExample = false
		}
		if inExample {
			line = strings.TrimPrefix(line, "  ")
		}
		out.WriteString(roffEscape(line) + "\n")
	}
	if inExample {
		out.WriteString(".fi\n.RE\n")
	}
}

// writeRoffFlags lists flags the way cobra/doc's OPTIONS section does:
// \fB--name\fP=default, then the usage indented below.
func writeRoffFlags(out *bytes.Buffer, flags *pflag.FlagSet) {
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" || f.Name == "help" {
			return
		}
		name := "\\fB\\-\\-" + roffEscape(f.Name) + "\\fP"
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			name = "\\fB\\-" + roffEscape(f.Shorthand) + "\\fP, " + name
		}
		def := f.DefValue
		if f.Value.Type() == "string" {
			def = fmt.Sprintf("%q", def)
		}
		fmt.Fprintf(out, ".TP\n%s=%s\n%s\n", name, roffEscape(def), roffEscape(f.Usage))
	})
}

// roffEscape makes s print literally: backslashes are roff's escape
// character, and a line starting with . or ' would be read as a request.
func roffEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
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
