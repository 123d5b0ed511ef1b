package confpath

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestProfile(t *testing.T) {
	for _, tc := range []struct {
		flag, envVal, file string
		want               string
	}{
		{"Acme", "beta", "gamma", "acme"},
		{"", "BETA", "gamma", "beta"},
		{"", "", "Gamma", "gamma"},
		{"", "", "", "default"},
	} {
		if got := Profile(tc.flag, tc.file, env(map[string]string{EnvProfile: tc.envVal})); got != tc.want {
			t.Errorf("Profile(%q, %q, env %q) = %q; want %q", tc.flag, tc.file, tc.envVal, got, tc.want)
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
		{"a real file", "# abtop\ntoken: \"ab_x\"   # masked\ndefault_profile: acme\nalerts:\n  quota_used_percent: [80, 95]\n  events: [rate_limited,\n    job_failed]\n" +
			"  command: |\n    no_color: true\nprofiles:\n  acme:\n    base_url: https://a.example\n    keys:\n      api.example.com/default: 3\n    no_color: True\n  beta: # none\n", "acme",
			map[string]bool{"acme": true, "beta": false, "default": false}, false},
		{"malformed", "profiles: [\n", "", nil, true},
		{"value continued", "default_profile: acme\n  team\n", "", nil, true},
		{"quote left open", "token: 'ab_x\nno_color: true'\n", "", nil, true},
		{"flow over lines", "x: {a: 1,\nno_color: true}\n", "", nil, true},
		{"alias", "no_color: *x\n", "", nil, true},
		{"merge key", "profiles:\n  a:\n    <<: *b\n", "", nil, true},
		{"numeric profile", "profiles:\n  0:\n", "", nil, true},
		{"duplicate by case", "no_color: true\nNO_COLOR: false\n", "", nil, true},
		{"tab", "profiles:\n\tacme:\n", "", nil, true},
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

// Wherever the line scanner is sure, it reads what yaml.v3 (config's
// reader, through viper) reads.
func FuzzReadSettings(f *testing.F) {
	for _, seed := range []string{
		"",
		"token: ab_0123456789abcdefghijklmnopqrstuvwxyz0123456789ab\nbase_url: https://api.abstrakt.dev\n",
		"default_profile: acme # the team's\nno_color: false\nprofiles:\n  acme:\n    token: 'ab_x'\n    no_color: \"true\"\n  beta:\n    alerts:\n      events: [rate_limited, job_failed]\n      desktop: true\n",
		"profiles:\n    Acme:\n        no_color: TRUE\n        caps:\n            daily: 10\nno_color: ~\n",
		"alerts: {quota_used_percent: [80, 95]}\ndefault_profile: 'beta'\n",
		"keys:\n  api.example.com/default: x\nout: ~/abtop\n",
		"note: |\n  no_color: true\n  default_profile: x\ndefault_profile: y\n",
		"default_profile: acme\n  continued\n",
		"token: \"ab_x\nno_color: true\"\n",
		"x: [a,\nb]\nno_color: true\n",
		"profiles:\n  a:\n    no_color: yes\n",
		"profiles:\n  a:\n  A:\n",
		"default_profile: 12\n",
		"no_color: 'on'\n",
		"---\nno_color: true\n",
		"no_color: true\nno_color: false\n",
		"base: &b\n  no_color: true\nprofiles:\n  a:\n    <<: *b\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := scanSettings(text)
		if err != nil {
			return // unsure: abtop reads it
		}
		want, err := referenceSettings([]byte(text))
		if errors.Is(err, errNotYAML) {
			return // config rejects it in full: see ReadSettings
		}
		if err != nil {
			t.Fatalf("scanner sure of a file yaml.v3 rejects (%v):\n%s", err, text)
		}
		if got.DefaultProfile != want.DefaultProfile || !maps.Equal(got.noColor, want.noColor) {
			t.Fatalf("scanner read %+v, yaml.v3 %+v:\n%s", got, want, text)
		}
	})
}
