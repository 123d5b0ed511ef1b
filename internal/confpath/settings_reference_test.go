package confpath

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// errNotYAML: yaml.v3 rejects the file. Every abtop command but the
// status line then fails; the scanner, which does not validate what it
// skips, may still read the two keys.
var errNotYAML = errors.New("not YAML")

// referenceSettings reads FileSettings the way package config does: YAML
// through yaml.v3 (which viper uses), keys lower-cased, no_color a YAML
// boolean or a string strconv.ParseBool takes, default_profile a string.
// An error is a file config would reject or read otherwise. The scanner
// must agree with it wherever the scanner is sure.
func referenceSettings(data []byte) (FileSettings, error) {
	var top map[string]any
	if err := yaml.Unmarshal(data, &top); err != nil {
		return FileSettings{}, fmt.Errorf("%w: %v", errNotYAML, err)
	}
	top = refLowerKeys(top) // viper reads keys case-insensitively
	s := FileSettings{noColor: map[string]bool{}}
	switch v := top["default_profile"].(type) {
	case nil:
	case string:
		s.DefaultProfile = v
	default:
		return FileSettings{}, errors.New("default_profile")
	}
	if err := s.refNoColor("", top); err != nil {
		return FileSettings{}, err
	}
	switch ps := top["profiles"].(type) {
	case nil:
	case map[string]any:
		for name, p := range ps {
			switch p := p.(type) {
			case nil:
			case map[string]any:
				if err := s.refNoColor(strings.ToLower(name), refLowerKeys(p)); err != nil {
					return FileSettings{}, err
				}
			default:
				return FileSettings{}, errors.New("profile")
			}
		}
	default:
		return FileSettings{}, errors.New("profiles")
	}
	return s, nil
}

// readNoColor takes section's no_color as config does: a YAML boolean or
// a string strconv.ParseBool accepts; null is unset.
func (s *FileSettings) refNoColor(profile string, section map[string]any) error {
	switch v := section["no_color"].(type) {
	case nil:
	case bool:
		s.noColor[profile] = v
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return errors.New("no_color")
		}
		s.noColor[profile] = b
	default:
		return errors.New("no_color")
	}
	return nil
}

func refLowerKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}
