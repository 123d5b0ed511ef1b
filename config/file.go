// The config file: reading it, its shape, unknown keys, permissions and
// profile selection. Resolution (flag > env > profile > top level >
// default) is in resolve.go, the keys it knows in settings.go.

package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/viper"

	"github.com/abtop-dev/abtop/internal/confpath"
)

var profileNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// fileData is the parsed config file. viper lower-cases every key, so
// profile names are case-insensitive.
type fileData struct {
	path     string
	top      map[string]any
	profiles map[string]map[string]any
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
	allowedTop := allowedIn(inTop)
	for _, k := range sortedKeys(fd.top) {
		if !slices.Contains(allowedTop, k) {
			// scrub: a token pasted as a key must not be echoed.
			out = append(out, Problem{Where: fd.path, Key: scrub(k), Msg: "unknown key, ignored (known: " + strings.Join(allowedTop, ", ") + ")"})
		}
	}
	allowedProfile := allowedIn(inProfile)
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
	fileDefault, _ := fd.top["default_profile"].(string)
	name, src := confpath.Profile(opts.Flags["profile"], fileDefault, getenv)
	switch src {
	case confpath.FromFlag:
		return name, Origin{Source: SourceFlag, Where: "flag --profile"}
	case confpath.FromEnv:
		return name, Origin{Source: SourceEnv, Where: "env " + confpath.EnvProfile}
	case confpath.FromFile:
		return name, Origin{Source: SourceFile, Where: fd.path + ": default_profile"}
	}
	return name, Origin{Source: SourceDefault}
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
