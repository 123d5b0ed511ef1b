package alerts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"sync"
)

// Desktop notification escapes a terminal understands.
const (
	OSC9   = "9"   // iTerm2, WezTerm, kitty, ghostty: ESC ] 9 ; text BEL
	OSC777 = "777" // foot, rxvt-unicode, WezTerm, ghostty: ESC ] 777 ; notify ; title ; body BEL
)

// TerminalOSC names the notification escape the terminal abtop runs in
// understands, or "" when it has none (or sits behind tmux or screen,
// which would swallow it): then the system notifier is used.
func TerminalOSC(getenv func(string) string) string {
	if getenv("TMUX") != "" || getenv("STY") != "" {
		return ""
	}
	switch getenv("TERM_PROGRAM") {
	case "iTerm.app", "WezTerm", "ghostty":
		return OSC9
	}
	term := getenv("TERM")
	switch {
	case term == "xterm-kitty" || getenv("KITTY_WINDOW_ID") != "":
		return OSC9
	case term == "xterm-ghostty":
		return OSC9
	case strings.HasPrefix(term, "foot"), strings.HasPrefix(term, "rxvt-unicode"):
		return OSC777
	}
	return ""
}

// OSC returns the escape that makes the terminal show a notification,
// for the dashboard to emit through its own renderer. Text is stripped
// of control characters (it may quote the server), so it cannot end the
// sequence early or smuggle another one.
func OSC(kind, title, body string) string {
	title, body = clean(title), clean(body)
	switch kind {
	case OSC9:
		// The "abtop:" prefix keeps a body starting with "4;" from
		// reading as ConEmu's progress sequence.
		return "\x1b]9;" + title + ": " + body + "\x07"
	case OSC777:
		return "\x1b]777;notify;" + strings.ReplaceAll(title, ";", ",") + ";" + body + "\x07"
	}
	return ""
}

// Desktop shows an alert as a desktop notification: through the terminal
// when TerminalOSC says it can, else through the system notifier
// (notify-send on Linux and BSD, osascript on macOS).
type Desktop struct {
	kind string
	mu   sync.Mutex
	tty  io.Writer
	goos string
	// run executes the system notifier; a field so tests need none.
	run func(ctx context.Context, name string, args ...string) error
	// missing: the system has no notifier, said once already; later
	// alerts are not logged again (a batch's every failure would be).
	missing bool
}

// NewDesktop picks the way. tty is where escapes go (the terminal of
// `abtop watch`); pass nil from the dashboard, which owns the terminal and
// emits OSC itself, to use the system notifier only.
func NewDesktop(getenv func(string) string, tty io.Writer) *Desktop {
	d := &Desktop{tty: tty, goos: runtime.GOOS, run: runNotifier}
	if tty != nil {
		d.kind = TerminalOSC(getenv)
	}
	return d
}

func (d *Desktop) Name() string {
	if d.kind != "" {
		return "desktop (OSC " + d.kind + ")"
	}
	return "desktop"
}

var errNoNotifier = errors.New("no desktop notifier on this system")

func (d *Desktop) Send(ctx context.Context, a Alert) error {
	title := "abtop " + a.Severity
	if d.kind != "" {
		d.mu.Lock()
		defer d.mu.Unlock()
		_, err := io.WriteString(d.tty, OSC(d.kind, title, a.Text))
		return err
	}
	d.mu.Lock()
	missing := d.missing
	d.mu.Unlock()
	if missing {
		return nil
	}
	err := d.notify(ctx, title, clean(a.Text), a.Severity)
	if errors.Is(err, errNoNotifier) {
		d.mu.Lock()
		d.missing = true
		d.mu.Unlock()
	}
	return err
}

func (d *Desktop) notify(ctx context.Context, title, body, severity string) error {
	switch d.goos {
	case "darwin":
		// The text travels as arguments, never inside the script, so no
		// quoting can turn it into AppleScript.
		return d.run(ctx, "osascript", "-e", "on run argv", "-e",
			"display notification (item 2 of argv) with title (item 1 of argv)", "-e", "end run", title, body)
	case "windows", "plan9", "js", "wasip1":
		return errNoNotifier
	}
	urgency := "normal"
	if severity == SeverityCritical {
		urgency = "critical"
	}
	return d.run(ctx, "notify-send", "--app-name=abtop", "--urgency="+urgency, "--", title, body)
}

func runNotifier(ctx context.Context, name string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%w (%s not found)", errNoNotifier, name)
	}
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, clean(strings.TrimSpace(string(out))))
	}
	return nil
}
