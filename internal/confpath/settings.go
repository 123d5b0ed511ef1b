package confpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FileSettings are the config file's values that choose and colour a
// status line: its default_profile and no_color (top level, or a
// profile's own, which wins). Package config reads the same keys through
// viper, with every other key and full validation.
type FileSettings struct {
	DefaultProfile string
	noColor        map[string]bool // by profile; "" is the top level
}

// NoColor is the file's no_color for profile, false when unset.
func (s FileSettings) NoColor(profile string) bool {
	if v, ok := s.noColor[profile]; ok {
		return v
	}
	return s.noColor[""]
}

// ErrUnsure says the file holds something this small reader does not
// judge (malformed YAML, a value of the wrong type): the caller should
// leave it to package config, which reports it properly.
var ErrUnsure = errors.New("config file needs the full reader")

// ReadSettings reads path's FileSettings. A missing default file is empty
// settings; a missing explicit one (--config) is an error.
func ReadSettings(path string, explicit bool) (FileSettings, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return FileSettings{}, nil
	}
	if err != nil {
		return FileSettings{}, err
	}
	var top map[string]any
	if err := yaml.Unmarshal(data, &top); err != nil {
		return FileSettings{}, fmt.Errorf("%w: %s", ErrUnsure, path)
	}
	top = lowerKeys(top) // viper reads keys case-insensitively
	s := FileSettings{noColor: map[string]bool{}}
	switch v := top["default_profile"].(type) {
	case nil:
	case string:
		s.DefaultProfile = v
	default:
		return FileSettings{}, fmt.Errorf("%w: %s: default_profile", ErrUnsure, path)
	}
	if err := s.readNoColor("", top); err != nil {
		return FileSettings{}, fmt.Errorf("%w: %s: %v", ErrUnsure, path, err)
	}
	switch ps := top["profiles"].(type) {
	case nil:
	case map[string]any:
		for name, p := range ps {
			switch p := p.(type) {
			case nil:
			case map[string]any:
				if err := s.readNoColor(strings.ToLower(name), lowerKeys(p)); err != nil {
					return FileSettings{}, fmt.Errorf("%w: %s: profiles.%s.%v", ErrUnsure, path, name, err)
				}
			default:
				return FileSettings{}, fmt.Errorf("%w: %s: profiles.%s", ErrUnsure, path, name)
			}
		}
	default:
		return FileSettings{}, fmt.Errorf("%w: %s: profiles", ErrUnsure, path)
	}
	return s, nil
}

// readNoColor takes section's no_color as config does: a YAML boolean or
// a string strconv.ParseBool accepts; null is unset.
func (s *FileSettings) readNoColor(profile string, section map[string]any) error {
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

func lowerKeys(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}
