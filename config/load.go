package config

import (
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// LoadOptions is what the command line gives Load.
type LoadOptions struct {
	// ConfigFile is --config ("" = the default location, which may be missing).
	ConfigFile string
	// Flags are the running command's flags (nil: none). Each setting
	// whose flag (settings.go) is among them is bound to it; a flag the
	// user gave beats every other source. Values are parsed like env
	// values.
	Flags *pflag.FlagSet
	// Profile, when set, is the profile to load whatever chooses one: one
	// name of --profile a,b (the flag's value, one at a time).
	Profile string
	// TokenFile is --token-file: the token is read from this file, because
	// a token on argv is visible to every user of the machine.
	TokenFile string
	// Sandbox, when set, beats every other source for the base URL and the
	// token (used by --sandbox).
	Sandbox *SandboxOverride
	// AllProfiles also checks every profile in the file, not just the
	// selected one (abtop config validate).
	AllProfiles bool
}

// SandboxOverride is the embedded sandbox's address and token.
type SandboxOverride struct {
	BaseURL string
	Token   string
}

// Origin says where one effective value came from.
type Origin struct {
	Source Source `json:"source"`
	Where  string `json:"where,omitempty"` // "env ABTOP_TOKEN", "/path/config.yaml: profiles.acme.token", …
	// Invalid: the value found there was rejected (a problem says why);
	// the Config holds the default (durations, booleans) or the raw value.
	Invalid bool `json:"invalid,omitempty"`
}

// Report is everything Load learnt besides the Config.
type Report struct {
	File       string    // config file path considered (may not exist)
	FileExists bool      // whether it was read
	Explicit   bool      // File came from --config
	Warnings   []Problem // unknown keys, loose file permissions
	// Origins maps each config key (token, base_url, …) to its source.
	Origins map[string]Origin
}

// Keys returns the per-profile setting keys in display order.
func Keys() []string { return slices.Clone(settingKeys) }

// Load reads file, environment and flags, and returns the validated config
// of the selected profile. On a *ValidationError the Config is still filled
// as far as possible (for `config show`); other errors (unreadable or
// malformed file) leave it empty.
func Load(opts LoadOptions) (Config, Report, error) {
	rep := Report{Origins: map[string]Origin{}}
	path, explicit, err := ResolveFile(opts.ConfigFile, nil)
	rep.File, rep.Explicit = path, explicit
	var fd fileData
	var problems []Problem
	if err != nil {
		// No $HOME: run on env and flags alone, but say so.
		rep.Warnings = append(rep.Warnings, Problem{Key: "config file", Msg: "no default location: " + err.Error()})
	} else {
		fd, err = readFile(path, explicit)
		if err != nil {
			return Config{}, rep, err
		}
		rep.FileExists = fd.top != nil
		rep.Warnings = append(rep.Warnings, fd.unknownKeys()...)
		rep.Warnings = append(rep.Warnings, permissionWarning(path, fd)...)
		problems = append(problems, fd.shapeProblems()...)
	}

	src, err := newSource(opts, fd, true)
	if err != nil {
		return Config{}, rep, err
	}
	profile := src.profile
	pOrigin, _ := src.origin("profile")
	rep.Origins["profile"] = pOrigin
	r := resolver{src: src, tokenFile: opts.TokenFile, sandbox: opts.Sandbox}
	profileMsg := fd.checkProfile(profile)
	if profileMsg != "" {
		problems = append(problems, Problem{Where: pOrigin.Where, Key: "profile", Msg: profileMsg})
	}
	cfg, ps := r.resolve(rep.Origins)
	cfg.File = ""
	if rep.FileExists {
		cfg.File = path
	}
	for _, p := range ps {
		k := p.Key[strings.LastIndex(p.Key, ".")+1:]
		if o, ok := rep.Origins[k]; ok && o.Source != SourceDefault {
			o.Invalid = true
			rep.Origins[k] = o
		}
	}
	if profileMsg != "" {
		// "token: not set" in a profile that does not exist is noise.
		ps = slices.DeleteFunc(ps, func(p Problem) bool { return p.Key == "token" && strings.HasPrefix(p.Msg, "not set") })
	}
	problems = append(problems, ps...)
	cfg.Alerts, ps = fd.resolveAlerts(profile)
	problems = append(problems, ps...)

	if opts.AllProfiles {
		ps, err := fd.profileSectionProblems(problems)
		if err != nil {
			return cfg, rep, err
		}
		problems = append(problems, ps...)
		problems = append(problems, fd.alertProblems(problems)...)
	}
	if len(problems) > 0 {
		return cfg, rep, &ValidationError{Problems: problems}
	}
	return cfg, rep, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func orOSGetenv(f func(string) string) func(string) string {
	if f == nil {
		return os.Getenv
	}
	return f
}
