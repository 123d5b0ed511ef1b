package config

import (
	"strings"
	"testing"
	"time"
)

// TestFileLevelsMerge: viper merges the profile's section over the top
// level the way the file means it: a null in the profile inherits, a
// value of another YAML type replaces, and a map where a plain value
// belongs is replaced whole (viper would keep a map under a plain value).
func TestFileLevelsMerge(t *testing.T) {
	tests := []struct {
		name, body string
		timeout    time.Duration
		problem    string
	}{
		{name: "null in the profile inherits the top level",
			body: "timeout: 20s\nprofiles:\n  acme:\n    timeout: ~\n", timeout: 20 * time.Second},
		{name: "a plain value replaces a map below it",
			body: "timeout: {a: 1}\nprofiles:\n  acme:\n    timeout: 12s\n", timeout: 12 * time.Second},
		{name: "a map replaces a plain value below it",
			body: "timeout: 12s\nprofiles:\n  acme:\n    timeout: {a: 1}\n", timeout: DefaultTimeout,
			problem: "profiles.acme.timeout: map[a:1] is not a duration"},
		{name: "another YAML type replaces",
			body: "timeout: 20s\nprofiles:\n  acme:\n    timeout: 3\n", timeout: DefaultTimeout,
			problem: "profiles.acme.timeout: 3 is not a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			writeConfig(t, "token: "+tok("t")+"\n"+tt.body)
			cfg, _, err := Load(LoadOptions{Flags: flagSet(t, map[string]string{"profile": "acme"})})
			got := strings.Join(problemStrings(err), "\n")
			if tt.problem == "" && err != nil || tt.problem != "" && !strings.Contains(got, tt.problem) {
				t.Fatalf("problems %q (err %v), want %q", got, err, tt.problem)
			}
			if cfg.Timeout != tt.timeout {
				t.Errorf("timeout %s, want %s", cfg.Timeout, tt.timeout)
			}
		})
	}
}

// TestEmptyProfileFlagChoosesNothing: --profile "" is no choice, like an
// empty ABTOP_PROFILE: the env var, then the file's default_profile, pick.
func TestEmptyProfileFlagChoosesNothing(t *testing.T) {
	isolate(t)
	writeConfig(t, "default_profile: acme\nprofiles:\n  acme: {token: "+tok("a")+"}\n  other: {token: "+tok("o")+"}\n")
	cfg, rep, err := Load(LoadOptions{Flags: flagSet(t, map[string]string{"profile": ""})})
	if err != nil || cfg.Profile != "acme" || rep.Origins["profile"].Where != rep.File+": default_profile" {
		t.Fatalf("profile %q from %+v (%v), want acme from default_profile", cfg.Profile, rep.Origins["profile"], err)
	}
	t.Setenv("ABTOP_PROFILE", "other")
	cfg, rep, err = Load(LoadOptions{Flags: flagSet(t, map[string]string{"profile": ""})})
	if err != nil || cfg.Profile != "other" || rep.Origins["profile"].Source != SourceEnv {
		t.Fatalf("profile %q from %+v (%v), want other from env", cfg.Profile, rep.Origins["profile"], err)
	}
}

// TestProfileOption: LoadOptions.Profile (one name of --profile a,b)
// beats the flag and the env var, and is reported as the flag.
func TestProfileOption(t *testing.T) {
	isolate(t)
	writeConfig(t, "profiles:\n  acme: {token: "+tok("a")+"}\n  other: {token: "+tok("o")+"}\n")
	t.Setenv("ABTOP_PROFILE", "acme")
	cfg, rep, err := Load(LoadOptions{Profile: "Other", Flags: flagSet(t, map[string]string{"profile": "acme,other"})})
	if err != nil || cfg.Profile != "other" || cfg.Token != tok("o") || rep.Origins["profile"].Where != "flag --profile" {
		t.Fatalf("profile %q token %s from %+v (%v), want other from the flag", cfg.Profile, MaskToken(cfg.Token), rep.Origins["profile"], err)
	}
}

// TestChosenProfile: without a file, --profile beats ABTOP_PROFILE beats
// "default".
func TestChosenProfile(t *testing.T) {
	isolate(t)
	for _, tt := range []struct{ flag, env, want string }{
		{"", "", DefaultProfile},
		{"", "Env", "env"},
		{"Flag", "env", "flag"},
	} {
		t.Setenv("ABTOP_PROFILE", tt.env)
		flags := map[string]string{}
		if tt.flag != "" {
			flags["profile"] = tt.flag
		}
		if got, err := ChosenProfile(LoadOptions{Flags: flagSet(t, flags)}); err != nil || got != tt.want {
			t.Errorf("flag %q env %q: got %q, %v; want %q", tt.flag, tt.env, got, err, tt.want)
		}
	}
}
