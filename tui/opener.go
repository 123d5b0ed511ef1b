package tui

import (
	"os/exec"
	"runtime"
)

// openerFor is the system's command that opens a file with the user's
// application for it.
func openerFor(goos string) (name string, args []string) {
	switch goos {
	case "darwin":
		return "open", nil
	case "windows":
		return "explorer", nil
	default:
		return "xdg-open", nil
	}
}

// SystemOpener opens path with the system opener (open on macOS, xdg-open
// elsewhere). It starts the opener and returns: the application it starts
// may run for hours. The opener is reaped when it exits, so no zombie is
// left behind.
func SystemOpener(path string) error {
	name, args := openerFor(runtime.GOOS)
	cmd := exec.Command(name, append(args, path)...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
