package config

import (
	"strings"
	"testing"
)

// TestBaseURLProblemsNeverEchoTheToken: a token pasted into base_url (as a
// ?key= query, or instead of the URL) or a password in its userinfo must
// not come back in full in the validation error (issue 2 item 3: the token
// is never put into an error message in full).
func TestBaseURLProblemsNeverEchoTheToken(t *testing.T) {
	secret := tok("s")
	for _, tc := range []struct{ name, baseURL, leak string }{
		{"token in a query", "https://api.abstrakt.dev/v1?key=" + secret, secret},
		{"token instead of the URL", secret, secret},
		{"password in userinfo, no host", "https://user:hunter2@", "hunter2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			t.Setenv("ABTOP_BASE_URL", tc.baseURL)
			t.Setenv("ABTOP_TOKEN", tok("t"))
			_, _, err := Load(LoadOptions{})
			if err == nil {
				t.Fatal("want a base_url problem")
			}
			if !strings.Contains(err.Error(), "base_url") {
				t.Errorf("error does not name base_url: %v", err)
			}
			if strings.Contains(err.Error(), tc.leak) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

// TestConfigStringRedactsLimiterPassword: a Config printed by accident
// (%v, %s, %#v) must not show the Redis password of its limiter URL.
func TestConfigStringRedactsLimiterPassword(t *testing.T) {
	c := Config{Token: tok("t"), Limiter: "redis://:hunter2@redis.internal:6379/0"}
	for _, s := range []string{c.String(), c.GoString()} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("Config.String leaks the limiter password: %s", s)
		}
		if !strings.Contains(s, "redis.internal:6379") {
			t.Errorf("Config.String lost the limiter host: %s", s)
		}
	}
}

// TestUnknownKeyNamedLikeATokenIsMasked: a token pasted as a key (a stray
// "ab_…: 1" line) is warned about as an unknown key, masked.
func TestUnknownKeyNamedLikeATokenIsMasked(t *testing.T) {
	isolate(t)
	pasted := tok("s")
	writeConfig(t, "token: "+tok("t")+"\n"+pasted+": 1\nprofiles:\n  acme:\n    "+pasted+": 2\n")
	_, rep, err := Load(LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 2 {
		t.Fatalf("warnings = %v, want 2 unknown keys", rep.Warnings)
	}
	for _, w := range rep.Warnings {
		if s := w.String(); strings.Contains(s, pasted) || !strings.Contains(s, "unknown key") {
			t.Errorf("warning = %s, want an unknown key with the token masked", s)
		}
	}
}
