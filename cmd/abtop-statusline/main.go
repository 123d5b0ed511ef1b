// Command abtop-statusline prints abtop's status line for tmux, starship
// or an editor. It does what "abtop statusline" does while the saved state
// is fresh, with the same flags, templates and output, but starts in a
// fraction of the time: it links only the state file, the templates and
// the config file's location (no API client, no cobra, viper or TUI), and
// a status line is run every few seconds by every prompt and pane.
//
// Whatever it cannot answer alone, it hands over to "abtop statusline"
// with the same arguments: a state that is missing or due for a refresh
// (the one budgeted request lives there), a flag it does not know, any
// error to report before it has read stdin (after that abtop would read
// nothing, so it reports the error itself). So abtop must be installed
// beside it or on $PATH.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/confpath"
	"github.com/abtop-dev/abtop/internal/localstate"
	"github.com/abtop-dev/abtop/internal/termsafe"
	"github.com/abtop-dev/abtop/statusline"
)

func main() {
	line, ok, err := answer(os.Args[1:], os.Stdin, os.Getenv, time.Now)
	if err != nil {
		// stdin is read: abtop would get none, so say it as abtop does
		fmt.Fprintln(os.Stderr, "abtop:", err)
		os.Exit(1)
	}
	if !ok {
		err := handOver(os.Args[1:])
		fmt.Fprintln(os.Stderr, "abtop-statusline:", err)
		os.Exit(1)
	}
	if _, err := io.WriteString(os.Stdout, line); err != nil {
		os.Exit(1)
	}
}

// args are the flags of "abtop statusline" this binary understands.
type args struct {
	statusline.Request
	config, profile string
	noColorSet      bool // --no-color given, true or false
	noColorFlag     bool
}

// parseArgs reads the flags as cobra does: --name value, --name=value,
// and --no-color alone for true. ok is false for anything else (an
// unknown flag, --help, a single-dash flag, a positional argument): abtop
// then answers, with its own help or error.
func parseArgs(argv []string) (a args, ok bool) {
	fs := flag.NewFlagSet("abtop-statusline", flag.ContinueOnError)
	fs.StringVar(&a.Format, "format", "", "")
	fs.StringVar(&a.Preset, "preset", statusline.DefaultPreset, "")
	fs.DurationVar(&a.MaxAge, "max-age", statusline.DefaultMaxAge, "")
	fs.StringVar(&a.config, "config", "", "")
	fs.StringVar(&a.profile, "profile", "", "")
	fs.BoolVar(&a.noColorFlag, "no-color", false, "")
	for i := 0; i < len(argv); i++ {
		name, val, hasVal := strings.Cut(strings.TrimPrefix(argv[i], "--"), "=")
		if !strings.HasPrefix(argv[i], "--") || fs.Lookup(name) == nil {
			return a, false
		}
		switch {
		case hasVal:
		case name == "no-color":
			val = "true"
		case i+1 < len(argv):
			i++
			val = argv[i]
		default:
			return a, false // a flag without its value
		}
		if fs.Set(name, val) != nil {
			return a, false
		}
		a.noColorSet = a.noColorSet || name == "no-color"
	}
	return a, true
}

// answer returns the line to print, or ok false when abtop must answer.
// Once it has read stdin it cannot hand over (abtop would read nothing):
// an error after that is returned, to print as abtop prints it.
func answer(argv []string, stdin *os.File, getenv func(string) string, now func() time.Time) (string, bool, error) {
	a, ok := parseArgs(argv)
	if !ok {
		return "", false, nil
	}
	file, explicit, err := confpath.File(a.config, getenv)
	if err != nil {
		return "", false, nil
	}
	fs, err := confpath.ReadSettings(file, explicit)
	if err != nil {
		return "", false, nil
	}
	profile := confpath.Profile(a.profile, fs.DefaultProfile, getenv)
	// As config resolves no_color (flag > NO_COLOR > file) and abtop then
	// adds NO_COLOR, which any non-empty value turns on (no-color.org).
	a.NoColor = getenv("NO_COLOR") != "" || a.noColorSet && a.noColorFlag || !a.noColorSet && fs.NoColor(profile)
	tpl, err := a.Template()
	if err != nil {
		return "", false, nil
	}
	dir, err := localstate.Dir(getenv)
	if err != nil {
		return "", false, nil
	}
	path, err := statusline.Path(dir, profile)
	if err != nil {
		return "", false, nil
	}
	st, err := statusline.Read(path)
	t := now()
	if err != nil || statusline.Decide(st, true, t, a.MaxAge, statusline.Watched(dir, profile)) == statusline.Refresh {
		return "", false, nil
	}
	var input map[string]any
	readStdin := a.ReadsInput() && !isTerminal(stdin)
	if readStdin {
		input = statusline.ReadInput(stdin)
	}
	line, err := tpl.Render(st, true, statusline.Options{Now: t, MaxAge: a.MaxAge, Input: input})
	if err != nil {
		if readStdin {
			return "", false, err
		}
		return "", false, nil
	}
	// The same escaping writer as abtop's output, with the same colour rule.
	var b strings.Builder
	w := termsafe.New(&b)
	w.SetColor(!a.NoColor)
	if _, err := io.WriteString(w, line+"\n"); err != nil {
		return "", false, nil
	}
	return b.String(), true, nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// abtopPath finds abtop beside this executable (as a release archive or
// Homebrew installs them), else on $PATH.
func abtopPath() (string, error) {
	name := "abtop"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("cannot find abtop beside this program or on $PATH to answer: %w", err)
	}
	return p, nil
}
