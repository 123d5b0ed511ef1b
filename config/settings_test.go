package config

import (
	"maps"
	"slices"
	"testing"
)

// The table is the one home of each key's flag, env and place: what the
// command line binds and which keys the file may hold follow from it.
func TestSettingsTable(t *testing.T) {
	wantFlags := map[string]string{
		"profile": "profile", "base-url": "base_url", "no-color": "no_color", "poll-interval": "poll_interval",
		"timeout": "timeout", "limiter": "limiter", "journal": "journal", "allow-insecure-http": "allow_insecure_http",
	}
	if got := FlagKeys(); !maps.Equal(got, wantFlags) {
		t.Errorf("FlagKeys() = %v, want %v", got, wantFlags)
	}
	plain := []string{"token", "base_url", "allow_insecure_http", "poll_interval", "timeout", "limiter", "journal", "out", "no_color"}
	if got := Keys(); !slices.Equal(got, plain) {
		t.Errorf("Keys() = %v, want %v", got, plain)
	}
	if got, want := allowedIn(inTop), append(slices.Clone(plain), "default_profile", "profiles", "keys", "alerts", "caps"); !slices.Equal(got, want) {
		t.Errorf("top level allows %v, want %v", got, want)
	}
	if got, want := allowedIn(inProfile), append(slices.Clone(plain), "keys", "alerts", "caps"); !slices.Equal(got, want) {
		t.Errorf("a profile allows %v, want %v", got, want)
	}
	wantEnv := []string{"ABTOP_PROFILE", "ABTOP_TOKEN", "ABTOP_BASE_URL", "ABTOP_ALLOW_INSECURE_HTTP", "ABTOP_POLL_INTERVAL",
		"ABTOP_TIMEOUT", "ABTOP_LIMITER", "ABTOP_JOURNAL", "ABTOP_OUT", "NO_COLOR"}
	if got := EnvNames(); !slices.Equal(got, wantEnv) {
		t.Errorf("EnvNames() = %v, want %v", got, wantEnv)
	}
	if lookupSetting("token").flag != "" || lookupSetting("base_url").flag != "--base-url" || envNames["no_color"] != "NO_COLOR" {
		t.Errorf("token flag %q, base_url flag %q, no_color env %q", lookupSetting("token").flag, lookupSetting("base_url").flag, envNames["no_color"])
	}
}

// sections walks the top level, then the profile's section, and skips
// what is unset or null.
func TestSectionsWalk(t *testing.T) {
	fd := fileData{
		top:      map[string]any{"caps": map[string]any{"daily_jobs": 5}, "keys": nil},
		profiles: map[string]map[string]any{"acme": {"caps": "x", "keys": map[string]any{}}, "bare": {}},
	}
	paths := func(key, profile string) []string {
		var out []string
		for _, s := range fd.sections(key, profile) {
			out = append(out, s.path+"@"+s.profile)
		}
		return out
	}
	for _, tt := range []struct {
		key, profile string
		want         []string
	}{
		{"caps", "acme", []string{"caps@", "profiles.acme.caps@acme"}},
		{"caps", "bare", []string{"caps@"}},
		{"caps", "missing", []string{"caps@"}},
		{"keys", "acme", []string{"profiles.acme.keys@acme"}},
		{"alerts", "acme", nil},
	} {
		if got := paths(tt.key, tt.profile); !slices.Equal(got, tt.want) {
			t.Errorf("sections(%q, %q) = %v, want %v", tt.key, tt.profile, got, tt.want)
		}
	}
}
