package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// LoadOptions is what the command line gives Load: plain values only.
type LoadOptions struct {
	// ConfigFile is --config ("" = the default location, which may be missing).
	ConfigFile string
	// Flags holds the flags the user set, keyed by config key: "profile",
	// "base_url", "poll_interval", "timeout", "limiter", "journal",
	// "allow_insecure_http", "no_color". Values are parsed like env values.
	Flags map[string]string
	// TokenFile is --token-file: the token is read from this file, because
	// a token on argv is visible to every user of the machine.
	TokenFile string
	// Getenv replaces os.Getenv (tests); nil means os.Getenv.
	Getenv func(string) string
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

// settingKeys are the keys allowed at top level and inside a profile, in
// display order.
var settingKeys = []string{"token", "base_url", "allow_insecure_http", "poll_interval", "timeout", "limiter", "journal", "no_color"}

// envNames maps a key to its environment variable.
var envNames = map[string]string{
	"profile":             "ABTOP_PROFILE",
	"token":               "ABTOP_TOKEN",
	"base_url":            "ABTOP_BASE_URL",
	"allow_insecure_http": "ABTOP_ALLOW_INSECURE_HTTP",
	"poll_interval":       "ABTOP_POLL_INTERVAL",
	"timeout":             "ABTOP_TIMEOUT",
	"limiter":             "ABTOP_LIMITER",
	"journal":             "ABTOP_JOURNAL",
	"no_color":            "NO_COLOR",
}

// Keys returns the per-profile setting keys in display order.
func Keys() []string { return slices.Clone(settingKeys) }

// EnvName returns the environment variable that sets key ("" if none).
func EnvName(key string) string { return envNames[key] }

// FlagName returns the command-line flag for key, e.g. "--base-url".
func FlagName(key string) string { return "--" + strings.ReplaceAll(key, "_", "-") }

var profileNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// fileData is the parsed config file. viper lower-cases every key, so
// profile names are case-insensitive.
type fileData struct {
	path     string
	top      map[string]any
	profiles map[string]map[string]any
}

// Load reads file, environment and flags, and returns the validated config
// of the selected profile. On a *ValidationError the Config is still filled
// as far as possible (for `config show`); other errors (unreadable or
// malformed file) leave it empty.
func Load(opts LoadOptions) (Config, Report, error) {
	getenv := orOSGetenv(opts.Getenv)
	rep := Report{Origins: map[string]Origin{}}
	path, explicit, err := ResolveFile(opts.ConfigFile, getenv)
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

	profile, pOrigin := selectProfile(opts, getenv, fd)
	rep.Origins["profile"] = pOrigin
	r := resolver{opts: opts, getenv: getenv, fd: fd, profile: profile}
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

	if opts.AllProfiles {
		problems = append(problems, fd.profileSectionProblems(getenv, problems)...)
	}
	if len(problems) > 0 {
		return cfg, rep, &ValidationError{Problems: problems}
	}
	return cfg, rep, nil
}

// profileSectionProblems checks what each profile section of the file says,
// as if no flag or env var overrode it (abtop config validate checks the
// file, not only the values in effect now). seen are the problems already
// reported.
func (fd fileData) profileSectionProblems(getenv func(string) string, seen []Problem) []Problem {
	fileOnly := func(k string) string {
		if strings.HasPrefix(k, "ABTOP_") || k == "NO_COLOR" {
			return ""
		}
		return getenv(k)
	}
	var out []Problem
	for _, name := range sortedKeys(fd.profiles) {
		if !profileNameRE.MatchString(name) {
			continue
		}
		r := resolver{getenv: fileOnly, fd: fd, profile: name}
		_, ps := r.resolve(map[string]Origin{})
		for _, p := range ps {
			// Only what lives in that profile's own section: shared values
			// were checked for the selected profile.
			if strings.HasPrefix(p.Key, "profiles."+name+".") && !slices.Contains(seen, p) && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func readFile(path string, explicit bool) (fileData, error) {
	fd := fileData{path: path}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			return fd, nil // no default file: defaults, env and flags only
		}
		if errors.Is(err, fs.ErrNotExist) {
			return fd, fmt.Errorf("config file %s (from --config): does not exist", path)
		}
		return fd, fmt.Errorf("config file %s: %w", path, err)
	}
	// A delimiter that cannot occur in a key keeps dots in profile names
	// from splitting them into nested maps.
	v := viper.NewWithOptions(viper.KeyDelimiter("\x00"))
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		return fd, fmt.Errorf("config file %s: %s", path, scrub(err.Error()))
	}
	fd.top = v.AllSettings()
	if fd.top == nil {
		fd.top = map[string]any{}
	}
	// AllSettings drops keys whose value is null, so an empty profile
	// ("other:") is only visible in the raw section.
	if ps, ok := v.Get("profiles").(map[string]any); ok {
		fd.top["profiles"] = ps
	}
	fd.profiles = map[string]map[string]any{}
	if ps, ok := fd.top["profiles"].(map[string]any); ok {
		for name, p := range ps {
			m, _ := p.(map[string]any)
			if m == nil {
				m = map[string]any{} // "other:" with no body: an empty profile
			}
			fd.profiles[name] = m
		}
	}
	return fd, nil
}

// shapeProblems reports sections that have the wrong type altogether.
func (fd fileData) shapeProblems() []Problem {
	var out []Problem
	if v, ok := fd.top["profiles"]; ok && v != nil {
		if _, ok := v.(map[string]any); !ok {
			out = append(out, Problem{Where: fd.path, Key: "profiles", Msg: "must be a map of profile name → settings"})
		}
	}
	if ps, ok := fd.top["profiles"].(map[string]any); ok {
		for _, name := range sortedKeys(ps) {
			if ps[name] != nil {
				if _, ok := ps[name].(map[string]any); !ok {
					out = append(out, Problem{Where: fd.path, Key: "profiles." + name, Msg: "must be a map of settings", Profile: name})
				}
			}
			if !profileNameRE.MatchString(name) {
				out = append(out, Problem{Where: fd.path, Key: "profiles." + name, Msg: "profile names use only a-z, 0-9, _ and - (they name journal files)", Profile: name})
			}
		}
	}
	if v, ok := fd.top["default_profile"]; ok && v != nil {
		if _, ok := v.(string); !ok {
			out = append(out, Problem{Where: fd.path, Key: "default_profile", Msg: "must be a profile name"})
		}
	}
	return out
}

func (fd fileData) unknownKeys() []Problem {
	var out []Problem
	allowedTop := append(slices.Clone(settingKeys), "default_profile", "profiles", "keys", "caps")
	for _, k := range sortedKeys(fd.top) {
		if !slices.Contains(allowedTop, k) {
			// scrub: a token pasted as a key must not be echoed.
			out = append(out, Problem{Where: fd.path, Key: scrub(k), Msg: "unknown key, ignored (known: " + strings.Join(allowedTop, ", ") + ")"})
		}
	}
	allowedProfile := append(slices.Clone(settingKeys), "keys", "caps")
	for _, name := range sortedKeys(fd.profiles) {
		for _, k := range sortedKeys(fd.profiles[name]) {
			if !slices.Contains(allowedProfile, k) {
				out = append(out, Problem{Where: fd.path, Key: scrub("profiles." + name + "." + k), Profile: name, Msg: "unknown key, ignored (known: " + strings.Join(allowedProfile, ", ") + ")"})
			}
		}
	}
	return out
}

// permissionWarning flags a token file others can read.
func permissionWarning(path string, fd fileData) []Problem {
	if fd.top == nil {
		return nil
	}
	hasToken := fd.top["token"] != nil
	for _, p := range fd.profiles {
		hasToken = hasToken || p["token"] != nil
	}
	st, err := os.Stat(path)
	if err != nil || !hasToken || st.Mode().Perm()&0o077 == 0 {
		return nil
	}
	return []Problem{{Where: path, Msg: fmt.Sprintf("holds a token but is readable by others (mode %04o); run chmod 600 %s", st.Mode().Perm(), path)}}
}

func selectProfile(opts LoadOptions, getenv func(string) string, fd fileData) (string, Origin) {
	if p, ok := opts.Flags["profile"]; ok && p != "" {
		return strings.ToLower(p), Origin{Source: SourceFlag, Where: "flag --profile"}
	}
	if p := getenv("ABTOP_PROFILE"); p != "" {
		return strings.ToLower(p), Origin{Source: SourceEnv, Where: "env ABTOP_PROFILE"}
	}
	if p, ok := fd.top["default_profile"].(string); ok && p != "" {
		return strings.ToLower(p), Origin{Source: SourceFile, Where: fd.path + ": default_profile"}
	}
	return DefaultProfile, Origin{Source: SourceDefault}
}

// checkProfile: "default" always exists (the top-level values); any other
// name must be a profile in the file.
func (fd fileData) checkProfile(name string) string {
	if _, ok := fd.profiles[name]; ok || name == DefaultProfile {
		return ""
	}
	known := append([]string{DefaultProfile}, sortedKeys(fd.profiles)...)
	known = slices.Compact(slices.Sorted(slices.Values(known)))
	where := "no config file"
	if fd.top != nil {
		where = fd.path
	}
	return fmt.Sprintf("unknown profile %q; known profiles (%s): %s", name, where, strings.Join(known, ", "))
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

// Values from a source before parsing: env and flags give strings, the file
// gives YAML types.
type raw struct {
	val    any
	origin Origin
	key    string // the key as the user wrote it where it came from
}

type resolver struct {
	opts    LoadOptions
	getenv  func(string) string
	fd      fileData
	profile string
}

// lookup finds key by precedence flag > env > file profile > file top level;
// ok is false when only the default applies.
func (r resolver) lookup(key string) (raw, bool, *Problem) {
	if key == "token" && r.opts.TokenFile != "" {
		where := "flag --token-file " + r.opts.TokenFile
		b, err := os.ReadFile(expandHome(r.opts.TokenFile, r.getenv))
		if err != nil {
			return raw{}, false, &Problem{Where: "flag --token-file", Key: "token", Profile: r.profile, Msg: fmt.Sprintf("cannot read the token: %v", err)}
		}
		return raw{strings.TrimSpace(string(b)), Origin{Source: SourceFlag, Where: where}, "token"}, true, nil
	}
	if v, ok := r.opts.Flags[key]; ok {
		return raw{v, Origin{Source: SourceFlag, Where: "flag " + FlagName(key)}, key}, true, nil
	}
	if env := envNames[key]; env != "" {
		if v := r.getenv(env); v != "" {
			if key == "no_color" {
				v = "true" // https://no-color.org: any non-empty value
			}
			return raw{v, Origin{Source: SourceEnv, Where: "env " + env}, key}, true, nil
		}
	}
	if p, ok := r.fd.profiles[r.profile]; ok {
		if v, ok := p[key]; ok && v != nil {
			k := "profiles." + r.profile + "." + key
			return raw{v, Origin{Source: SourceFile, Where: r.fd.path + ": " + k}, k}, true, nil
		}
	}
	if v, ok := r.fd.top[key]; ok && v != nil {
		return raw{v, Origin{Source: SourceFile, Where: r.fd.path + ": " + key}, key}, true, nil
	}
	return raw{}, false, nil
}

func (r resolver) problem(rv raw, msg string) Problem {
	where := rv.origin.Where
	if rv.origin.Source == SourceFile {
		where = r.fd.path // the key names the section
	}
	return Problem{Where: where, Key: rv.key, Profile: r.profile, Msg: msg}
}

func (r resolver) str(key string, origins map[string]Origin, ps *[]Problem) (string, bool) {
	rv, ok, p := r.lookup(key)
	if p != nil {
		*ps = append(*ps, *p)
		return "", false
	}
	if !ok {
		origins[key] = Origin{Source: SourceDefault}
		return "", false
	}
	origins[key] = rv.origin
	s, isStr := rv.val.(string)
	if !isStr {
		// Never echo the value: it could be a token.
		*ps = append(*ps, r.problem(rv, fmt.Sprintf("must be a string (got a YAML %T)", rv.val)))
		return "", false
	}
	return strings.TrimSpace(s), true
}

func (r resolver) boolean(key string, origins map[string]Origin, ps *[]Problem) bool {
	rv, ok, _ := r.lookup(key)
	if !ok {
		origins[key] = Origin{Source: SourceDefault}
		return false
	}
	origins[key] = rv.origin
	switch v := rv.val.(type) {
	case bool:
		return v
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			*ps = append(*ps, r.problem(rv, fmt.Sprintf("%q is not a boolean; want true or false", v)))
		}
		return b
	default:
		*ps = append(*ps, r.problem(rv, fmt.Sprintf("%v is not a boolean; want true or false", v)))
		return false
	}
}

func (r resolver) duration(key string, def, lo, hi time.Duration, origins map[string]Origin, ps *[]Problem) time.Duration {
	rv, ok, _ := r.lookup(key)
	if !ok {
		origins[key] = Origin{Source: SourceDefault}
		return def
	}
	origins[key] = rv.origin
	s, isStr := rv.val.(string)
	if !isStr {
		*ps = append(*ps, r.problem(rv, fmt.Sprintf("%v is not a duration; want e.g. 5s, 1m30s (with a unit)", rv.val)))
		return def
	}
	d, msg := parseBounded(s, lo, hi)
	if msg != "" {
		*ps = append(*ps, r.problem(rv, msg))
		return def
	}
	return d
}

// resolve computes the profile's config and every problem in it.
func (r resolver) resolve(origins map[string]Origin) (Config, []Problem) {
	var ps []Problem
	cfg := Config{Profile: r.profile}

	cfg.AllowInsecureHTTP = r.boolean("allow_insecure_http", origins, &ps)
	cfg.NoColor = r.boolean("no_color", origins, &ps)
	cfg.PollInterval = r.duration("poll_interval", DefaultPollInterval, MinPollInterval, MaxPollInterval, origins, &ps)
	cfg.Timeout = r.duration("timeout", DefaultTimeout, MinTimeout, MaxTimeout, origins, &ps)

	if sb := r.opts.Sandbox; sb != nil {
		cfg.BaseURL, cfg.Token, cfg.TokenSource = sb.BaseURL, sb.Token, SourceSandbox
		origins["base_url"] = Origin{Source: SourceSandbox}
		origins["token"] = Origin{Source: SourceSandbox}
		if u, msg := validateBaseURL(sb.BaseURL, false); msg != "" {
			ps = append(ps, Problem{Where: "sandbox", Key: "base_url", Msg: msg})
		} else {
			cfg.BaseURL = u
		}
		if msg := ValidateToken(sb.Token); msg != "" {
			ps = append(ps, Problem{Where: "sandbox", Key: "token", Msg: msg})
		}
	} else {
		cfg.BaseURL = DefaultBaseURL
		if s, ok := r.str("base_url", origins, &ps); ok {
			rv, _, _ := r.lookup("base_url")
			if u, msg := validateBaseURL(s, cfg.AllowInsecureHTTP); msg != "" {
				ps = append(ps, r.problem(rv, msg))
				cfg.BaseURL = s
			} else {
				cfg.BaseURL = u
			}
		}
		if t, ok := r.str("token", origins, &ps); ok {
			rv, _, _ := r.lookup("token")
			cfg.Token, cfg.TokenSource = t, rv.origin.Source
			if msg := ValidateToken(t); msg != "" {
				ps = append(ps, r.problem(rv, msg))
			}
		} else if _, set, _ := r.lookup("token"); !set && r.opts.TokenFile == "" {
			where := ""
			if r.fd.top != nil {
				where = r.fd.path
			}
			ps = append(ps, Problem{Where: where, Key: "token", Profile: r.profile, Msg: "not set; run `abtop config set-token`, set ABTOP_TOKEN or pass --token-file"})
		}
	}

	if s, ok := r.str("limiter", origins, &ps); ok && s != "" {
		rv, _, _ := r.lookup("limiter")
		if msg := validateLimiter(s); msg != "" {
			ps = append(ps, r.problem(rv, msg))
		}
		cfg.Limiter = s
	}

	if s, ok := r.str("journal", origins, &ps); ok && s != "" {
		cfg.JournalPath = expandHome(s, r.getenv)
	} else {
		name := r.profile
		if r.opts.Sandbox != nil {
			name = "sandbox" // sandbox jobs never mix with real ones
		}
		j, err := DefaultJournal(r.getenv, name)
		if err != nil {
			ps = append(ps, Problem{Key: "journal", Profile: r.profile, Msg: "no default location (" + err.Error() + "); set ABTOP_JOURNAL"})
		}
		cfg.JournalPath = j
	}

	cfg.Keys, ps = r.keys(origins, ps)
	cfg.Caps, ps = r.caps(origins, ps)
	// Report in the order keys are documented, not the order they were
	// computed in (base_url needs allow_insecure_http first).
	slices.SortStableFunc(ps, func(a, b Problem) int { return keyRank(a.Key) - keyRank(b.Key) })
	return cfg, ps
}

func keyRank(key string) int {
	last := key[strings.LastIndex(key, ".")+1:]
	if i := slices.Index(settingKeys, last); i >= 0 {
		return i
	}
	return len(settingKeys)
}

// keys merges the top-level key bindings with the profile's (per action,
// the profile wins).
func (r resolver) keys(origins map[string]Origin, ps []Problem) (map[string][]string, []Problem) {
	out := map[string][]string{}
	origins["keys"] = Origin{Source: SourceDefault}
	sections := []struct {
		prefix string
		m      map[string]any
	}{{"keys", r.fd.top}, {"profiles." + r.profile + ".keys", r.fd.profiles[r.profile]}}
	for _, sec := range sections {
		v, ok := sec.m["keys"]
		if !ok || v == nil {
			continue
		}
		origins["keys"] = Origin{Source: SourceFile, Where: r.fd.path + ": " + sec.prefix}
		m, ok := v.(map[string]any)
		if !ok {
			ps = append(ps, Problem{Where: r.fd.path, Key: sec.prefix, Profile: r.profile, Msg: "must be a map of action → list of keys"})
			continue
		}
		for _, action := range sortedKeys(m) {
			switch b := m[action].(type) {
			case string:
				out[action] = []string{b}
			case []any:
				var keys []string
				for _, k := range b {
					s, ok := k.(string)
					if !ok || s == "" {
						ps = append(ps, Problem{Where: r.fd.path, Key: sec.prefix + "." + action, Profile: r.profile, Msg: fmt.Sprintf("%v is not a key name; quote it, e.g. \"1\"", k)})
						continue
					}
					keys = append(keys, s)
				}
				out[action] = keys
			default:
				ps = append(ps, Problem{Where: r.fd.path, Key: sec.prefix + "." + action, Profile: r.profile, Msg: "must be a list of keys, e.g. [\"p\", \"space\"]"})
			}
		}
	}
	if len(out) == 0 {
		return nil, ps
	}
	return out, ps
}
