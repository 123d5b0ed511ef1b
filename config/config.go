// Package config loads abtop's configuration from the config file, ABTOP_*
// environment variables and command-line flags (flag > env > file >
// default), validates it, and hands the rest of the program a plain Config.
// Nothing outside config/ and cmd/ imports viper.
//
// The file ($XDG_CONFIG_HOME/abtop/config.yaml, else
// ~/.config/abtop/config.yaml, or --config) holds top-level settings and
// named profiles; a profile's values override the top-level ones:
//
//	default_profile: acme
//	poll_interval: 5s           # 1s..10m
//	timeout: 30s                # 1s..5m
//	profiles:
//	  acme:
//	    token: ab_…             # 51 characters; set with `abtop config set-token`
//	    base_url: https://api.abstrakt.dev
//	    allow_insecure_http: false  # http:// only to loopback unless true
//	    limiter: redis://localhost:6379/0
//	    journal: ~/q.db
//	    out: ~/abtop-out        # where batches download their files
//	keys:
//	  pause: ["p", "space"]
//	caps:                       # per profile too; see config/caps.go
//	  daily_credits: 500
//	  timezone: Europe/Paris    # default: local time
//
// The profile is --profile, else ABTOP_PROFILE, else default_profile, else
// "default" (the top-level values). Profile names are case-insensitive
// (viper lower-cases keys) and limited to a-z, 0-9, _ and - because they
// name files: the journal defaults to $XDG_STATE_HOME/abtop/queue.db
// (else ~/.local/state/abtop/) for the "default" profile and
// queue-<profile>.db for any other, queue-sandbox.db under --sandbox, so
// two organisations never share a journal.
package config

import (
	"fmt"

	"github.com/abtop-dev/abtop/caps"
	"log/slog"
	"time"

	"github.com/abtop-dev/abtop/alerts"
)

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
	Limiter           string // "" or "local" (this machine's processes), "memory" (this one), or redis://…
	JournalPath       string // bbolt queue journal
	// Out is the directory a batch's output files and manifest go to when
	// a command is given none (submit --out, results --out, batches loaded
	// in the dashboard); "" downloads nothing.
	Out string
	// Keys remaps TUI key bindings: action name → keys, e.g. "pause": ["p", "space"].
	Keys map[string][]string
	// Caps are the profile's own spending caps (caps: in the file); the
	// zero caps (Zone local) when none is set.
	Caps caps.Caps
	// Alerts are the alert rules and channels (top-level section, then the
	// profile's); alerts.Default() when the file says nothing.
	Alerts alerts.Config
}

// String masks the token so a Config printed by accident (%v, %s) never
// leaks it.
func (c Config) String() string {
	return fmt.Sprintf("Config{File:%q Profile:%q BaseURL:%q Token:%s TokenSource:%s AllowInsecureHTTP:%t PollInterval:%s Timeout:%s NoColor:%t Limiter:%q JournalPath:%q Out:%q}",
		c.File, c.Profile, RedactURL(c.BaseURL), MaskToken(c.Token), c.TokenSource, c.AllowInsecureHTTP, c.PollInterval, c.Timeout, c.NoColor, RedactURL(c.Limiter), c.JournalPath, c.Out)
}

// GoString masks the token for %#v as well.
func (c Config) GoString() string { return c.String() }

// LogValue masks the token when a Config is passed to log/slog.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("file", c.File),
		slog.String("profile", c.Profile),
		slog.String("base_url", RedactURL(c.BaseURL)),
		slog.String("token", MaskToken(c.Token)),
		slog.String("token_source", string(c.TokenSource)),
	)
}
