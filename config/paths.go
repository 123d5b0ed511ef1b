package config

import (
	"path/filepath"

	"github.com/abtop-dev/abtop/internal/confpath"
)

// The config file's location and the XDG rules live in internal/confpath,
// shared with the lean abtop-statusline binary.

func xdgDir(getenv func(string) string, env, fallback string) (string, error) {
	return confpath.XDGDir(getenv, env, fallback)
}

// DefaultFile is $XDG_CONFIG_HOME/abtop/config.yaml, else
// ~/.config/abtop/config.yaml.
func DefaultFile(getenv func(string) string) (string, error) {
	return confpath.DefaultFile(orOSGetenv(getenv))
}

// ResolveFile returns the config file to use: explicit (from --config) when
// given, else DefaultFile. explicit reports which one it was.
func ResolveFile(explicitPath string, getenv func(string) string) (path string, explicit bool, err error) {
	return confpath.File(explicitPath, orOSGetenv(getenv))
}

// DefaultJournal is where the queue journal of profile lives when nothing
// sets it: $XDG_STATE_HOME/abtop/queue.db (else ~/.local/state/abtop/…).
// The "default" profile uses queue.db; any other profile uses
// queue-<profile>.db, so two organisations never share a journal.
func DefaultJournal(getenv func(string) string, profile string) (string, error) {
	dir, err := xdgDir(orOSGetenv(getenv), "XDG_STATE_HOME", filepath.Join(".local", "state"))
	if err != nil {
		return "", err
	}
	name := "queue.db"
	if profile != "" && profile != DefaultProfile {
		name = "queue-" + profile + ".db"
	}
	return filepath.Join(dir, "abtop", name), nil
}

func expandHome(p string, getenv func(string) string) string { return confpath.ExpandHome(p, getenv) }

// DefaultHistory is the history store every abtop process on the machine
// records into: $XDG_STATE_HOME/abtop/history.db (else
// ~/.local/state/abtop/history.db). One file for all profiles: records
// carry their profile and organisation.
func DefaultHistory(getenv func(string) string) (string, error) {
	dir, err := xdgDir(orOSGetenv(getenv), "XDG_STATE_HOME", filepath.Join(".local", "state"))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "abtop", "history.db"), nil
}
