package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/go-viper/mapstructure/v2"

	"github.com/abtop-dev/abtop/alerts"
)

// The alerts section may sit at top level (every profile) and inside a
// profile, whose keys override the top-level ones key by key:
//
//	alerts:
//	  quota_used_percent: [80, 95]
//	  webhook: https://hooks.slack.com/services/…
//	profiles:
//	  acme:
//	    alerts:
//	      credits_below: 100
//
// Keys left out keep alerts.Default().

// resolveAlerts returns the alerts config of profile and the problems of
// the sections it read.
func (fd fileData) resolveAlerts(profile string) (alerts.Config, []Problem) {
	cfg := alerts.Default()
	var out []Problem
	for _, s := range fd.sections("alerts", profile) {
		m, ok := s.val.(map[string]any)
		if !ok {
			out = append(out, Problem{Where: fd.path, Key: s.path, Profile: s.profile, Msg: "must be a map of alert settings"})
			continue
		}
		known := alertKeys()
		valid := map[string]any{}
		for _, k := range sortedKeys(m) {
			if !slices.Contains(known, k) {
				// A misspelt threshold must not silently keep the default.
				out = append(out, Problem{Where: fd.path, Key: scrub(s.path + "." + k), Profile: s.profile,
					Msg: "unknown key (known: " + strings.Join(known, ", ") + ")"})
				continue
			}
			valid[k] = m[k]
		}
		if k, err := decodeAlerts(valid, &cfg); err != nil {
			out = append(out, Problem{Where: fd.path, Key: s.path + "." + k, Profile: s.profile, Msg: err.Error()})
			continue
		}
		if err := cfg.Validate(); err != nil {
			// Validate says "alerts.x: why": the key goes under the section.
			key, msg := s.path, err.Error()
			if k, m, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(k, "alerts") {
				key, msg = s.path+strings.TrimPrefix(k, "alerts"), m
			}
			out = append(out, Problem{Where: fd.path, Key: key, Profile: s.profile, Msg: msg})
		}
	}
	return cfg, out
}

// alertKeys are the keys of an alerts section, from alerts.Config's tags.
func alertKeys() []string {
	t := reflect.TypeFor[alerts.Config]()
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		keys = append(keys, t.Field(i).Tag.Get("mapstructure"))
	}
	return keys
}

// decodeAlerts lays one section's known keys over cfg; a value of the
// wrong type is an error, with its key.
func decodeAlerts(m map[string]any, cfg *alerts.Config) (string, error) {
	for _, k := range sortedKeys(m) {
		dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
			Result:     cfg,
			DecodeHook: mapstructure.StringToTimeDurationHookFunc(),
		})
		if err != nil {
			return k, err
		}
		if err := dec.Decode(map[string]any{k: m[k]}); err != nil {
			return k, fmt.Errorf("%q is not a valid value", scrub(fmt.Sprint(m[k])))
		}
	}
	return "", nil
}

// alertProblems checks every profile's alerts section (config validate).
func (fd fileData) alertProblems(seen []Problem) []Problem {
	var out []Problem
	for _, name := range sortedKeys(fd.profiles) {
		_, ps := fd.resolveAlerts(name)
		for _, p := range ps {
			if p.Profile == name && !containsProblem(seen, p) && !containsProblem(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func containsProblem(ps []Problem, p Problem) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// Profiles lists the profiles of the config file, sorted; a file without
// profiles (or no file) has only the selected one: what Load would use.
func Profiles(opts LoadOptions) ([]string, error) {
	path, explicit, err := ResolveFile(opts.ConfigFile, nil)
	if err != nil {
		return []string{DefaultProfile}, nil
	}
	fd, err := readFile(path, explicit)
	if err != nil {
		return nil, err
	}
	if len(fd.profiles) == 0 {
		src, err := newSource(opts, fd, true)
		if err != nil {
			return nil, err
		}
		return []string{src.profile}, nil
	}
	return sortedKeys(fd.profiles), nil
}
