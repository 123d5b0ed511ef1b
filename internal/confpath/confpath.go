// Package confpath is where abtop finds its config file (the one home of
// that rule, for package config and the lean abtop-statusline binary) and
// which profile a command without the full config selects: config chooses
// through viper's bindings, and the lean binary, which must answer without
// linking viper or anything else slow to start, through Profile, the same
// order (TestLeanStatuslineMatchesAbtop holds the two equal).
//
// It imports only the standard library (no YAML: see ReadSettings).
package confpath

import (
	"errors"
	"path/filepath"
	"strings"
)

const (
	// DefaultProfile is the profile of the file's top-level values.
	DefaultProfile = "default"
	// EnvProfile selects the profile when --profile is not given.
	EnvProfile = "ABTOP_PROFILE"
)

// XDGDir returns $env when it holds an absolute path (the XDG spec says
// relative values are to be ignored), else $HOME/fallback.
func XDGDir(getenv func(string) string, env, fallback string) (string, error) {
	if d := getenv(env); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither $" + env + " nor $HOME is set")
	}
	return filepath.Join(home, fallback), nil
}

// ExpandHome turns a leading "~/" into $HOME/ (shells do not expand it
// inside YAML or after "=").
func ExpandHome(p string, getenv func(string) string) string {
	if home := getenv("HOME"); home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	return p
}

// DefaultFile is $XDG_CONFIG_HOME/abtop/config.yaml, else
// ~/.config/abtop/config.yaml.
func DefaultFile(getenv func(string) string) (string, error) {
	dir, err := XDGDir(getenv, "XDG_CONFIG_HOME", ".config")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "abtop", "config.yaml"), nil
}

// File returns the config file to use: explicitPath (from --config) when
// given, else DefaultFile. explicit reports which one it was.
func File(explicitPath string, getenv func(string) string) (path string, explicit bool, err error) {
	if explicitPath != "" {
		return ExpandHome(explicitPath, getenv), true, nil
	}
	p, err := DefaultFile(getenv)
	return p, false, err
}

// Profile selects the profile: --profile (flag), else $ABTOP_PROFILE,
// else the file's default_profile (fileDefault), else "default". Names are
// case-insensitive: they are lower-cased as the file's keys are.
func Profile(flag, fileDefault string, getenv func(string) string) string {
	switch {
	case flag != "":
		return strings.ToLower(flag)
	case getenv(EnvProfile) != "":
		return strings.ToLower(getenv(EnvProfile))
	case fileDefault != "":
		return strings.ToLower(fileDefault)
	}
	return DefaultProfile
}
