package config

import (
	"errors"
	"path/filepath"
	"strings"
)

// xdgDir returns $env when it holds an absolute path (the XDG spec says
// relative values are to be ignored), else $HOME/fallback.
func xdgDir(getenv func(string) string, env, fallback string) (string, error) {
	if d := getenv(env); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither $" + env + " nor $HOME is set")
	}
	return filepath.Join(home, fallback), nil
}

// DefaultFile is $XDG_CONFIG_HOME/abtop/config.yaml, else
// ~/.config/abtop/config.yaml.
func DefaultFile(getenv func(string) string) (string, error) {
	dir, err := xdgDir(orOSGetenv(getenv), "XDG_CONFIG_HOME", ".config")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "abtop", "config.yaml"), nil
}

// ResolveFile returns the config file to use: explicit (from --config) when
// given, else DefaultFile. explicit reports which one it was.
func ResolveFile(explicitPath string, getenv func(string) string) (path string, explicit bool, err error) {
	if explicitPath != "" {
		return expandHome(explicitPath, orOSGetenv(getenv)), true, nil
	}
	p, err := DefaultFile(getenv)
	return p, false, err
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

// expandHome turns a leading "~/" into $HOME/ (shells do not expand it inside
// YAML or after "=").
func expandHome(p string, getenv func(string) string) string {
	if home := getenv("HOME"); home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	return p
}

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
