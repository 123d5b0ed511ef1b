// The sources of each setting. viper holds them and decides precedence:
// every row of the settings table gets its default (SetDefault), its
// environment variable (BindEnv) and the command's flag (BindPFlag), and
// the file's top level is merged in, then the chosen profile's section
// over it. viper does not say where the value it chose came from, so
// origin names that source (for `config show` and for problems) by asking
// the same questions in the same order: attribution, not precedence.

package config

import (
	"os"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

type source struct {
	v       *viper.Viper
	flags   *pflag.FlagSet // nil: no flags
	env     bool           // false: the file alone, as `config validate` checks each profile
	fd      fileData
	profile string
	// override is one profile of --profile a,b (LoadOptions.Profile): the
	// flag's value, one name at a time.
	override string
}

// newSource binds the table, chooses the profile (override, else flag >
// env > the file's default_profile > "default") and lays the file under
// flags and env: the profile's section over the top level.
func newSource(opts LoadOptions, fd fileData, env bool) (*source, error) {
	s := &source{v: viper.NewWithOptions(viper.KeyDelimiter(keyDelim)), flags: opts.Flags, env: env, fd: fd, override: opts.Profile}
	for _, row := range settings {
		if row.def != nil {
			s.v.SetDefault(row.key, row.def)
		}
		if row.env != "" && env {
			if err := s.v.BindEnv(row.key, row.env); err != nil {
				return nil, err
			}
		}
		if f := s.flag(row); f != nil {
			if err := s.v.BindPFlag(row.key, f); err != nil {
				return nil, err
			}
		}
	}
	if dp, ok := fd.top["default_profile"].(string); ok && dp != "" {
		s.v.SetDefault("profile", dp) // the file's choice, below flag and env
	}
	if s.override != "" {
		s.v.Set("profile", s.override)
	}
	s.profile = strings.ToLower(s.v.GetString("profile"))
	if err := s.v.MergeConfigMap(fileLayer(fd.top)); err != nil {
		return nil, err
	}
	if err := s.v.MergeConfigMap(fileLayer(fd.profiles[s.profile])); err != nil {
		return nil, err
	}
	return s, nil
}

// keyDelim cannot occur in a key: it keeps dots in profile names from
// splitting them into nested maps.
const keyDelim = "\x00"

// flag is row's flag when the command has it. An empty --profile ""
// chooses nothing, like an empty ABTOP_PROFILE, so it is left unbound.
func (s *source) flag(row setting) *pflag.Flag {
	if s.flags == nil || row.flag == "" {
		return nil
	}
	f := s.flags.Lookup(strings.TrimPrefix(row.flag, "--"))
	if f == nil || row.key == "profile" && f.Value.String() == "" {
		return nil
	}
	return f
}

// fileLayer is the part of one level of the file (top or a profile's
// section) viper resolves: the plain settings it sets. A null value sets
// nothing (the level below shows through). A map or list is wrapped:
// viper merges maps key by key and would keep a map below a plain value
// merged over it, where a plain key takes the upper level's value whole.
func fileLayer(level map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range settingKeys {
		switch v := level[k].(type) {
		case nil:
		case map[string]any, []any:
			out[k] = nested{v}
		default:
			out[k] = v
		}
	}
	return out
}

// nested is a map or list where a plain value belongs (a problem).
type nested struct{ val any }

// value is key's value by viper's precedence, and where it came from.
func (s *source) value(key string) (any, Origin, string) {
	val := s.v.Get(key)
	if n, ok := val.(nested); ok {
		val = n.val
	}
	o, written := s.origin(key)
	if key == "no_color" && o.Source == SourceEnv {
		val = true // https://no-color.org: any non-empty value
	}
	return val, o, written
}

// origin says where key's value comes from: a flag the user gave, else a
// set environment variable, else the file (the profile's section, then the
// top level), else the default. written is the key as the user wrote it
// there ("profiles.acme.token").
func (s *source) origin(key string) (Origin, string) {
	row := lookupSetting(key)
	if f := s.flag(row); f != nil && f.Changed || key == "profile" && s.override != "" {
		return Origin{Source: SourceFlag, Where: "flag " + row.flag}, key
	}
	if s.env && row.env != "" && os.Getenv(row.env) != "" {
		return Origin{Source: SourceEnv, Where: "env " + row.env}, key
	}
	if key == "profile" {
		if dp, ok := s.fd.top["default_profile"].(string); ok && dp != "" {
			return Origin{Source: SourceFile, Where: s.fd.path + ": default_profile"}, "default_profile"
		}
	}
	if secs := s.fd.sections(key, s.profile); len(secs) > 0 {
		sec := secs[len(secs)-1] // the profile's is merged over the top level's
		return Origin{Source: SourceFile, Where: s.fd.path + ": " + sec.path}, sec.path
	}
	return Origin{Source: SourceDefault}, key
}

// ChosenProfile is the profile flags and environment choose when no file
// is read (set-token about to create one): --profile, else ABTOP_PROFILE,
// else "default".
func ChosenProfile(opts LoadOptions) (string, error) {
	src, err := newSource(opts, fileData{}, true)
	if err != nil {
		return "", err
	}
	return src.profile, nil
}
