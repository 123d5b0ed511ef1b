// The settings table: every key abtop's configuration knows, with its
// environment variable, its flag, its default and where in the file it may
// appear (source.go binds each row in viper), and the walk over the file's
// levels (top level, then the profile's section) that names where a value
// was written and merges the keys, caps and alerts sections.

package config

import (
	"slices"
	"time"

	"github.com/abtop-dev/abtop/internal/confpath"
)

// place says where in the config file a setting may appear.
type place uint8

const (
	inTop     place = 1 << iota // at the top level (every profile's value)
	inProfile                   // inside profiles.<name> (that profile's, wins)
	anywhere  = inTop | inProfile
)

// setting is one row of the table.
type setting struct {
	key  string
	env  string // environment variable; "" when none
	flag string // command-line flag; "" when none
	// def is the default: a string, bool or time.Duration; nil when there
	// is none or it is computed (journal: per profile).
	def    any
	lo, hi time.Duration // bounds of a duration
	place  place         // 0: not in the file
	// section: a map whose keys are merged one by one, the profile's over
	// the top level's (keys, caps, alerts), instead of a value the
	// profile's replaces whole.
	section bool
}

// settings in display order (`config show`, problems, unknown-key hints).
var settings = []setting{
	// The profile is chosen by flag, env or the file's default_profile.
	{key: "profile", env: confpath.EnvProfile, flag: "--profile", def: DefaultProfile},
	// The token is never a flag value (argv is visible to every user):
	// --token-file names a file instead (LoadOptions.TokenFile).
	{key: "token", env: "ABTOP_TOKEN", place: anywhere},
	{key: "base_url", env: "ABTOP_BASE_URL", flag: "--base-url", def: DefaultBaseURL, place: anywhere},
	{key: "allow_insecure_http", env: "ABTOP_ALLOW_INSECURE_HTTP", flag: "--allow-insecure-http", def: false, place: anywhere},
	{key: "poll_interval", env: "ABTOP_POLL_INTERVAL", flag: "--poll-interval", def: DefaultPollInterval, lo: MinPollInterval, hi: MaxPollInterval, place: anywhere},
	{key: "timeout", env: "ABTOP_TIMEOUT", flag: "--timeout", def: DefaultTimeout, lo: MinTimeout, hi: MaxTimeout, place: anywhere},
	{key: "limiter", env: "ABTOP_LIMITER", flag: "--limiter", def: "", place: anywhere},
	{key: "journal", env: "ABTOP_JOURNAL", flag: "--journal", place: anywhere},
	// out has no global flag: submit and results take --out DIR themselves.
	{key: "out", env: "ABTOP_OUT", def: "", place: anywhere},
	{key: "no_color", env: "NO_COLOR", flag: "--no-color", def: false, place: anywhere},
	{key: "default_profile", place: inTop},
	{key: "profiles", place: inTop},
	{key: "keys", place: anywhere, section: true},
	{key: "alerts", place: anywhere, section: true},
	{key: "caps", place: anywhere, section: true},
}

// lookupSetting returns key's row (a bare row for a key the table lacks:
// no env, no flag, no default).
func lookupSetting(key string) setting {
	if i := slices.IndexFunc(settings, func(s setting) bool { return s.key == key }); i >= 0 {
		return settings[i]
	}
	return setting{key: key}
}

// settingKeys are the plain values a profile may set, in display order.
var settingKeys = func() []string {
	var out []string
	for _, s := range settings {
		if s.place&inProfile != 0 && !s.section {
			out = append(out, s.key)
		}
	}
	return out
}()

// envNames maps a key to its environment variable.
var envNames = func() map[string]string {
	out := map[string]string{}
	for _, s := range settings {
		if s.env != "" {
			out[s.key] = s.env
		}
	}
	return out
}()

// EnvNames lists every environment variable the configuration reads, in
// display order (tests clear them to isolate themselves).
func EnvNames() []string {
	var out []string
	for _, s := range settings {
		if s.env != "" {
			out = append(out, s.env)
		}
	}
	return out
}

// allowedIn lists the keys the file may hold at p, in display order.
func allowedIn(p place) []string {
	var out []string
	for _, s := range settings {
		if s.place&p != 0 {
			out = append(out, s.key)
		}
	}
	return out
}

// FlagKeys maps each config flag's name (without dashes: "base-url") to
// its key ("base_url"), for the command line to bind.
func FlagKeys() map[string]string {
	out := map[string]string{}
	for _, s := range settings {
		if s.flag != "" {
			out[s.flag[2:]] = s.key
		}
	}
	return out
}

// fileSection is one place key was found in the file.
type fileSection struct {
	path    string // as the user wrote it: "caps" or "profiles.acme.caps"
	profile string // "" at the top level
	val     any
}

// sections returns where key is set in the file for profile: the top
// level, then the profile's section, skipping those that do not set it
// (or set it to null). Later ones win: a plain value takes the last, a
// section merges them in order.
func (fd fileData) sections(key, profile string) []fileSection {
	var out []fileSection
	if v := fd.top[key]; v != nil {
		out = append(out, fileSection{path: key, val: v})
	}
	if p, ok := fd.profiles[profile]; ok && p[key] != nil {
		out = append(out, fileSection{path: "profiles." + profile + "." + key, profile: profile, val: p[key]})
	}
	return out
}
