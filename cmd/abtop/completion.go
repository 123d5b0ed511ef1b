package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// completionShells are the shells cobra can generate scripts for, in the
// order the help text lists them.
func completionShells() []string { return []string{"bash", "zsh", "fish", "powershell"} }

// newCompletionCmd replaces cobra's default "completion" command so the help
// text can say where each script goes, and so it works even when the config
// file is broken (see skipRootPreRun).
func newCompletionCmd(a *app) *cobra.Command {
	var noDesc bool
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print the completion script for the given shell to standard output.

Homebrew installs the bash, zsh and fish scripts for you. Otherwise:

  bash:        source <(abtop completion bash)
               # permanently: abtop completion bash > ~/.local/share/bash-completion/completions/abtop
  zsh:         abtop completion zsh > "${fpath[1]}/_abtop"   # then start a new shell
               # needs "autoload -U compinit; compinit" in ~/.zshrc
  fish:        abtop completion fish > ~/.config/fish/completions/abtop.fish
  powershell:  abtop completion powershell | Out-String | Invoke-Expression
               # permanently: add that line to $PROFILE`,
		ValidArgs:             completionShells(),
		DisableFlagsInUseLine: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("completion: want exactly one shell (%s), got %d arguments", strings.Join(completionShells(), ", "), len(args))
			}
			return nil
		},
		PersistentPreRunE: skipRootPreRun,
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeCompletion(cmd.Root(), a.out, args[0], !noDesc)
		},
	}
	cmd.Flags().BoolVar(&noDesc, "no-descriptions", false, "leave out completion descriptions")
	return cmd
}

// writeCompletion writes root's completion script for shell to w.
func writeCompletion(root *cobra.Command, w io.Writer, shell string, withDesc bool) error {
	switch shell {
	case "bash":
		return root.GenBashCompletionV2(w, withDesc)
	case "zsh":
		if withDesc {
			return root.GenZshCompletion(w)
		}
		return root.GenZshCompletionNoDesc(w)
	case "fish":
		return root.GenFishCompletion(w, withDesc)
	case "powershell":
		if withDesc {
			return root.GenPowerShellCompletionWithDesc(w)
		}
		return root.GenPowerShellCompletion(w)
	}
	return fmt.Errorf("completion: unknown shell %q: want one of %s", shell, strings.Join(completionShells(), ", "))
}

// skipRootPreRun stands in for the root's PersistentPreRunE on commands that
// only describe abtop itself (completion, man): they need no config, token
// or sandbox, and must keep working when the config file is broken, since
// packagers run them at build time. cobra runs only the nearest
// PersistentPreRunE, so setting this one shadows the root's.
func skipRootPreRun(*cobra.Command, []string) error { return nil }
