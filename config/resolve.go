// Resolution: each key's value and origin by precedence (flag > env >
// profile > top level > default), parsed and bounded; env names, flags,
// defaults and bounds come from the settings table (settings.go).

package config

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

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
	s := lookupSetting(key)
	if v, ok := r.opts.Flags[key]; ok {
		return raw{v, Origin{Source: SourceFlag, Where: "flag " + s.flag}, key}, true, nil
	}
	if s.env != "" {
		if v := r.getenv(s.env); v != "" {
			if key == "no_color" {
				v = "true" // https://no-color.org: any non-empty value
			}
			return raw{v, Origin{Source: SourceEnv, Where: "env " + s.env}, key}, true, nil
		}
	}
	if secs := r.fd.sections(key, r.profile); len(secs) > 0 {
		sec := secs[len(secs)-1] // the profile's beats the top level's
		return raw{sec.val, Origin{Source: SourceFile, Where: r.fd.path + ": " + sec.path}, sec.path}, true, nil
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
		def, _ := lookupSetting(key).def.(bool)
		return def
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

// duration reads key with the default and bounds of its settings row.
func (r resolver) duration(key string, origins map[string]Origin, ps *[]Problem) time.Duration {
	row := lookupSetting(key)
	def, _ := row.def.(time.Duration)
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
	d, msg := parseBounded(s, row.lo, row.hi)
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
	cfg.PollInterval = r.duration("poll_interval", origins, &ps)
	cfg.Timeout = r.duration("timeout", origins, &ps)

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
		cfg.BaseURL, _ = lookupSetting("base_url").def.(string)
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
			ps = append(ps, Problem{Where: where, Key: "token", Profile: r.profile, Msg: "not set; run `abtop config set-token`, set ABTOP_TOKEN or pass --token-file (or try `abtop --sandbox`: a built-in fake API, no token needed)"})
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

	if s, ok := r.str("out", origins, &ps); ok && s != "" {
		rv, _, _ := r.lookup("out")
		if p := expandHome(s, r.getenv); validateOut(p) != "" {
			ps = append(ps, r.problem(rv, validateOut(p)))
		} else {
			cfg.Out = p
		}
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
	for _, sec := range r.fd.sections("keys", r.profile) {
		origins["keys"] = Origin{Source: SourceFile, Where: r.fd.path + ": " + sec.path}
		m, ok := sec.val.(map[string]any)
		if !ok {
			ps = append(ps, Problem{Where: r.fd.path, Key: sec.path, Profile: r.profile, Msg: "must be a map of action → list of keys"})
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
						ps = append(ps, Problem{Where: r.fd.path, Key: sec.path + "." + action, Profile: r.profile, Msg: fmt.Sprintf("%v is not a key name; quote it, e.g. \"1\"", k)})
						continue
					}
					keys = append(keys, s)
				}
				out[action] = keys
			default:
				ps = append(ps, Problem{Where: r.fd.path, Key: sec.path + "." + action, Profile: r.profile, Msg: "must be a list of keys, e.g. [\"p\", \"space\"]"})
			}
		}
	}
	if len(out) == 0 {
		return nil, ps
	}
	return out, ps
}
