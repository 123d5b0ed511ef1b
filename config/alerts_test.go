package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The alerts section: defaults, top level overridden by the profile key by
// key, and every bad value a problem that names where it is.
func TestAlertsSection(t *testing.T) {
	isolate(t)
	writeConfig(t, "token: "+tok("t")+"\nalerts:\n  quota_used_percent: [70, 90]\n  webhook_timeout: 3s\n"+
		"default_profile: acme\nprofiles:\n  acme:\n    token: "+tok("a")+"\n    alerts:\n      credits_below: 50\n  beta:\n    token: "+tok("b")+"\n")
	cfg, _, err := Load(LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Alerts
	if !slices.Equal(a.QuotaUsedPercent, []float64{70, 90}) || a.CreditsBelow != 50 || a.WebhookTimeout != 3*time.Second ||
		a.CreditsDaysBelow != 3 || !a.Desktop {
		t.Fatalf("acme alerts %+v", a)
	}
	cfg, _, err = Load(LoadOptions{Flags: flagSet(t, map[string]string{"profile": "beta"})})
	if err != nil || cfg.Alerts.CreditsBelow != 0 || len(cfg.Alerts.QuotaUsedPercent) != 2 {
		t.Fatalf("beta alerts %+v %v", cfg.Alerts, err)
	}
	if ps, err := Profiles(LoadOptions{}); err != nil || !slices.Equal(ps, []string{"acme", "beta"}) {
		t.Fatalf("profiles %v %v", ps, err)
	}
}

func TestAlertsProblems(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"threshold out of range", "alerts:\n  quota_used_percent: [120]\n", "config.yaml: alerts.quota_used_percent: 120 is not in (0, 100]"},
		{"unknown key", "alerts:\n  quota_percent: [80]\n", "alerts.quota_percent: unknown key (known: quota_used_percent, "},
		{"not a map", "alerts: loud\n", "alerts: must be a map"},
		{"bad duration", "alerts:\n  command_timeout: soon\n", `alerts.command_timeout: "soon" is not a valid value`},
		{"bad list", "alerts:\n  quota_used_percent: lots\n", `alerts.quota_used_percent: "lots" is not a valid value`},
		{"webhook not http", "alerts:\n  webhook: ftp://x\n", "alerts.webhook: "},
		{"event unknown", "alerts:\n  events: [meteor]\n", `unknown event "meteor"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			writeConfig(t, tc.yaml+"token: "+tok("t")+"\n")
			_, _, err := Load(LoadOptions{})
			got := problemStrings(err)
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Fatalf("problems %q, want one containing %q", got, tc.want)
			}
		})
	}
	// config validate checks every profile's section, not only the selected one.
	isolate(t)
	writeConfig(t, "token: "+tok("t")+"\nprofiles:\n  ops:\n    token: "+tok("o")+"\n    alerts:\n      credits_below: -1\n")
	if _, _, err := Load(LoadOptions{}); err != nil {
		t.Fatalf("default profile: %v", err)
	}
	_, _, err := Load(LoadOptions{AllProfiles: true})
	if got := problemStrings(err); len(got) != 1 || !strings.Contains(got[0], "profiles.ops.alerts") {
		t.Fatalf("all profiles: %q", got)
	}
}
