package confpath

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestProfile(t *testing.T) {
	for _, tc := range []struct {
		flag, envVal, file string
		want               string
		src                Source
	}{
		{"Acme", "beta", "gamma", "acme", FromFlag},
		{"", "BETA", "gamma", "beta", FromEnv},
		{"", "", "Gamma", "gamma", FromFile},
		{"", "", "", "default", FromDefault},
	} {
		got, src := Profile(tc.flag, tc.file, env(map[string]string{EnvProfile: tc.envVal}))
		if got != tc.want || src != tc.src {
			t.Errorf("Profile(%q, %q, env %q) = %q, %v; want %q, %v", tc.flag, tc.file, tc.envVal, got, src, tc.want, tc.src)
		}
	}
}

func TestFile(t *testing.T) {
	for _, tc := range []struct {
		explicit string
		env      map[string]string
		want     string
		wantErr  bool
	}{
		{"", map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/abtop/config.yaml", false},
		{"", map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/h"}, "/h/.config/abtop/config.yaml", false},
		{"~/c.yaml", map[string]string{"HOME": "/h"}, "/h/c.yaml", false},
		{"", map[string]string{}, "", true},
	} {
		got, explicit, err := File(tc.explicit, env(tc.env))
		if got != tc.want || (err != nil) != tc.wantErr || explicit != (tc.explicit != "") {
			t.Errorf("File(%q, %v) = %q, %v, %v", tc.explicit, tc.env, got, explicit, err)
		}
	}
}

func TestReadSettings(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, yaml string
		def        string
		noColor    map[string]bool // profile → NoColor
		unsure     bool
	}{
		{"empty", "", "", map[string]bool{"default": false}, false},
		{"top level", "Default_Profile: Acme\nno_color: true\n", "Acme", map[string]bool{"default": true, "acme": true}, false},
		{"profile wins", "no_color: true\nprofiles:\n  Acme:\n    NO_COLOR: 'false'\n  beta:\n", "", map[string]bool{"default": true, "acme": false, "beta": true}, false},
		{"null is unset", "no_color: ~\ndefault_profile: ~\n", "", map[string]bool{"default": false}, false},
		{"malformed", "profiles: [\n", "", nil, true},
		{"default_profile not a string", "default_profile: 3\n", "", nil, true},
		{"no_color not a boolean", "no_color: maybe\n", "", nil, true},
		{"no_color a number", "profiles:\n  a:\n    no_color: 2\n", "", nil, true},
		{"profiles not a map", "profiles: [a]\n", "", nil, true},
		{"profile not a map", "profiles:\n  a: 3\n", "", nil, true},
	} {
		path := filepath.Join(dir, tc.name+".yaml")
		if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := ReadSettings(path, false)
		if tc.unsure {
			if !errors.Is(err, ErrUnsure) {
				t.Errorf("%s: err %v, want ErrUnsure", tc.name, err)
			}
			continue
		}
		if err != nil || s.DefaultProfile != tc.def {
			t.Errorf("%s: %+v, %v", tc.name, s, err)
		}
		for p, want := range tc.noColor {
			if s.NoColor(p) != want {
				t.Errorf("%s: NoColor(%q) = %v, want %v", tc.name, p, !want, want)
			}
		}
	}
	if _, err := ReadSettings(filepath.Join(dir, "none.yaml"), false); err != nil {
		t.Errorf("missing default file: %v", err)
	}
	if _, err := ReadSettings(filepath.Join(dir, "none.yaml"), true); err == nil {
		t.Error("missing --config file read without error")
	}
}
