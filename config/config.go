// Package config loads abtop's configuration from the config file, ABTOP_*
// environment variables and command-line flags (flag > env > file >
// default), validates it, and hands the rest of the program a plain Config.
// Nothing outside config/ and cmd/ imports viper.
package config

import "time"

// Source says where a value came from.
type Source string

const (
	SourceDefault Source = "default"
	SourceFile    Source = "file"
	SourceEnv     Source = "env"
	SourceFlag    Source = "flag"
	SourceSandbox Source = "sandbox"
)

// Config is the validated configuration of one profile.
type Config struct {
	File              string // config file used ("" when none exists)
	Profile           string
	BaseURL           string
	Token             string // never print: use MaskToken
	TokenSource       Source
	AllowInsecureHTTP bool
	PollInterval      time.Duration
	Timeout           time.Duration
	NoColor           bool
	Limiter           string // "" (in-process) or redis://…
	JournalPath       string // bbolt queue journal
	// Keys remaps TUI key bindings: action name → keys, e.g. "pause": ["p", "space"].
	Keys map[string][]string
}
