package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

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
