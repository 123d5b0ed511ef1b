// Resolution: each key's value, parsed and bounded, and its origin. Which
// value wins is viper's (source.go); the bounds come from the settings
// table (settings.go).

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
// gives YAML types, defaults the table's types.
type raw struct {
	val    any
	origin Origin
	key    string // the key as the user wrote it where it came from
}

type resolver struct {
	src       *source
	tokenFile string // --token-file: the token's flag names a file
	sandbox   *SandboxOverride
}

// lookup finds key's value; its origin is SourceDefault when nothing
// set it.
func (r resolver) lookup(key string) (raw, *Problem) {
	if key == "token" && r.tokenFile != "" {
		where := "flag --token-file " + r.tokenFile
		b, err := os.ReadFile(expandHome(r.tokenFile, os.Getenv))
		if err != nil {
			return raw{origin: Origin{Source: SourceFlag, Where: where}, key: key}, &Problem{Where: "flag --token-file", Key: "token", Profile: r.src.profile, Msg: fmt.Sprintf("cannot read the token: %v", err)}
		}
		return raw{strings.TrimSpace(string(b)), Origin{Source: SourceFlag, Where: where}, "token"}, nil
	}
	val, o, written := r.src.value(key)
	return raw{val, o, written}, nil
}

func (r resolver) problem(rv raw, msg string) Problem {
	where := rv.origin.Where
	if rv.origin.Source == SourceFile {
		where = r.src.fd.path // the key names the section
	}
	return Problem{Where: where, Key: rv.key, Profile: r.src.profile, Msg: msg}
}

// str returns key's value when something set it to a string; set is
// false when only the default applies (or the value was refused).
func (r resolver) str(key string, origins map[string]Origin, ps *[]Problem) (string, raw, bool) {
	rv, p := r.lookup(key)
	if p != nil {
		*ps = append(*ps, *p)
		return "", rv, false
	}
	origins[key] = rv.origin
	if rv.origin.Source == SourceDefault {
		return "", rv, false
	}
	s, isStr := rv.val.(string)
	if !isStr {
		// Never echo the value: it could be a token.
		*ps = append(*ps, r.problem(rv, fmt.Sprintf("must be a string (got a YAML %T)", rv.val)))
		return "", rv, false
	}
	return strings.TrimSpace(s), rv, true
}

func (r resolver) boolean(key string, origins map[string]Origin, ps *[]Problem) bool {
	rv, _ := r.lookup(key)
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

// duration reads key within the bounds of its settings row; a refused
// value leaves the row's default.
func (r resolver) duration(key string, origins map[string]Origin, ps *[]Problem) time.Duration {
	row := lookupSetting(key)
	def, _ := row.def.(time.Duration)
	rv, _ := r.lookup(key)
	origins[key] = rv.origin
	switch v := rv.val.(type) {
	case time.Duration: // the default
		return v
	case string:
		d, msg := parseBounded(v, row.lo, row.hi)
		if msg != "" {
			*ps = append(*ps, r.problem(rv, msg))
			return def
		}
		return d
	default:
		*ps = append(*ps, r.problem(rv, fmt.Sprintf("%v is not a duration; want e.g. 5s, 1m30s (with a unit)", rv.val)))
		return def
	}
}

// resolve computes the profile's config and every problem in it.
func (r resolver) resolve(origins map[string]Origin) (Config, []Problem) {
	var ps []Problem
	cfg := Config{Profile: r.src.profile}

	cfg.AllowInsecureHTTP = r.boolean("allow_insecure_http", origins, &ps)
	cfg.NoColor = r.boolean("no_color", origins, &ps)
	cfg.PollInterval = r.duration("poll_interval", origins, &ps)
	cfg.Timeout = r.duration("timeout", origins, &ps)

	if sb := r.sandbox; sb != nil {
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
		if s, rv, ok := r.str("base_url", origins, &ps); ok {
			if u, msg := validateBaseURL(s, cfg.AllowInsecureHTTP); msg != "" {
				ps = append(ps, r.problem(rv, msg))
				cfg.BaseURL = s
			} else {
				cfg.BaseURL = u
			}
		}
		if t, rv, ok := r.str("token", origins, &ps); ok {
			cfg.Token, cfg.TokenSource = t, rv.origin.Source
			if msg := ValidateToken(t); msg != "" {
				ps = append(ps, r.problem(rv, msg))
			}
		} else if rv.origin.Source == SourceDefault {
			where := ""
			if r.src.fd.top != nil {
				where = r.src.fd.path
			}
			ps = append(ps, Problem{Where: where, Key: "token", Profile: r.src.profile, Msg: "not set; run `abtop config set-token`, set ABTOP_TOKEN or pass --token-file (or try `abtop --sandbox`: a built-in fake API, no token needed)"})
		}
	}

	if s, rv, ok := r.str("limiter", origins, &ps); ok && s != "" {
		if msg := validateLimiter(s); msg != "" {
			ps = append(ps, r.problem(rv, msg))
		}
		cfg.Limiter = s
	}

	if s, _, ok := r.str("journal", origins, &ps); ok && s != "" {
		cfg.JournalPath = expandHome(s, os.Getenv)
	} else {
		name := r.src.profile
		if r.sandbox != nil {
			name = "sandbox" // sandbox jobs never mix with real ones
		}
		j, err := DefaultJournal(os.Getenv, name)
		if err != nil {
			ps = append(ps, Problem{Key: "journal", Profile: r.src.profile, Msg: "no default location (" + err.Error() + "); set ABTOP_JOURNAL"})
		}
		cfg.JournalPath = j
	}

	if s, rv, ok := r.str("out", origins, &ps); ok && s != "" {
		if p := expandHome(s, os.Getenv); validateOut(p) != "" {
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
	for _, sec := range r.src.fd.sections("keys", r.src.profile) {
		origins["keys"] = Origin{Source: SourceFile, Where: r.src.fd.path + ": " + sec.path}
		m, ok := sec.val.(map[string]any)
		if !ok {
			ps = append(ps, Problem{Where: r.src.fd.path, Key: sec.path, Profile: r.src.profile, Msg: "must be a map of action → list of keys"})
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
						ps = append(ps, Problem{Where: r.src.fd.path, Key: sec.path + "." + action, Profile: r.src.profile, Msg: fmt.Sprintf("%v is not a key name; quote it, e.g. \"1\"", k)})
						continue
					}
					keys = append(keys, s)
				}
				out[action] = keys
			default:
				ps = append(ps, Problem{Where: r.src.fd.path, Key: sec.path + "." + action, Profile: r.src.profile, Msg: "must be a list of keys, e.g. [\"p\", \"space\"]"})
			}
		}
	}
	if len(out) == 0 {
		return nil, ps
	}
	return out, ps
}
