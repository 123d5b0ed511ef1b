package config

import (
	"fmt"
	"strings"
	"testing"
)

// TestValidationErrors: each bad value yields one problem naming the file,
// the key and the profile; all problems come back together.
func TestValidationErrors(t *testing.T) {
	short := "ab_" + strings.Repeat("x", 5) + "wxyz" // 12 characters
	tests := []struct {
		name string // source: API.md Authentication, issue 2 item 3
		yaml string
		want []string
	}{
		{"token prefix and length (API.md: ab_, 51 chars)", "profiles:\n  acme:\n    token: xx_" + strings.Repeat("a", 9) + "\ndefault_profile: acme\n",
			[]string{`config.yaml: profiles.acme.token: must start with "ab_" and must be exactly 51 characters (got …aaaa, 12 characters)`}},
		{"token length only", "default_profile: acme\nprofiles:\n  acme:\n    token: " + short + "\n",
			[]string{`config.yaml: profiles.acme.token: must be exactly 51 characters (got ab_…wxyz, 12 characters)`}},
		{"token not a string", "token: 12345\n", []string{`config.yaml: token: must be a string (got a YAML int) (profile default)`}},
		{"token missing", "# token deliberately absent\npoll_interval: 5s\n", []string{`config.yaml: token: not set`}},
		{"base URL unparsable", "base_url: \"https://exa mple.com:x/\"\n", []string{`config.yaml: base_url: not a URL`}},
		{"base URL scheme", "base_url: ftp://api.example\n", []string{`config.yaml: base_url: scheme "ftp" not supported`}},
		{"base URL no scheme", "base_url: api.example\n", []string{`base_url: "api.example" has no scheme`}},
		{"http to a remote host", "base_url: http://api.example\n", []string{`config.yaml: base_url: http:// to "api.example" would send the token in clear text`}},
		{"poll interval too small", "poll_interval: 10ms\n", []string{`config.yaml: poll_interval: 10ms is out of bounds [1s, 10m0s]`}},
		{"poll interval too big", "poll_interval: 11m\n", []string{`poll_interval: 11m0s is out of bounds [1s, 10m0s]`}},
		{"poll interval unparsable", "poll_interval: soon\n", []string{`poll_interval: "soon" is not a duration`}},
		{"poll interval without unit", "poll_interval: 5\n", []string{`poll_interval: 5 is not a duration`}},
		{"timeout out of bounds", "timeout: 6m\n", []string{`config.yaml: timeout: 6m0s is out of bounds [1s, 5m0s]`}},
		{"timeout unparsable", "timeout: 3 seconds\n", []string{`timeout: "3 seconds" is not a duration`}},
		{"limiter scheme", "limiter: http://localhost:6379\n", []string{`config.yaml: limiter: scheme "http" not supported`}},
		{"limiter no host", "limiter: \"redis://\"\n", []string{`limiter: "redis:" has no host`}},
		{"out a file", "out: /dev/null\n", []string{`config.yaml: out: "/dev/null" is a file, not a directory`}},
		{"out control character", "out: \"a\\x1bb\"\n", []string{`config.yaml: out: contains a control character`}},
		{"bool garbage", "allow_insecure_http: maybe\n", []string{`allow_insecure_http: "maybe" is not a boolean`}},
		{"profiles not a map", "profiles: [a, b]\n", []string{`config.yaml: profiles: must be a map`}},
		{"profile name unsafe", "profiles:\n  \"a/b\": {}\n", []string{`config.yaml: profiles.a/b: profile names use only`}},
		{"keys not a list", "keys:\n  pause: {a: b}\n", []string{`config.yaml: keys.pause: must be a list of keys`}},
		{"all at once", "base_url: http://api.example\npoll_interval: 0s\ntimeout: x\nlimiter: mysql://h\n",
			[]string{"base_url:", "poll_interval:", "timeout:", "limiter:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			body := tt.yaml
			if !strings.Contains(body, "token") {
				body += "token: " + tok("t") + "\n"
			}
			writeConfig(t, body)
			_, _, err := Load(LoadOptions{})
			got := problemStrings(err)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d:\n got %s\nwant …%s…", i, got[i], w)
				}
			}
		})
	}
}

func TestValidationFromEnvAndFlags(t *testing.T) {
	isolate(t)
	t.Setenv("ABTOP_TOKEN", "ab_short")
	t.Setenv("ABTOP_POLL_INTERVAL", "0")
	_, _, err := Load(LoadOptions{Flags: flagSet(t, map[string]string{"base_url": "http://10.0.0.1", "profile": "default"})})
	got := strings.Join(problemStrings(err), "\n")
	for _, w := range []string{
		`env ABTOP_TOKEN: token: must be exactly 51 characters (got ab_…, 8 characters)`,
		`env ABTOP_POLL_INTERVAL: poll_interval: 0s is out of bounds`,
		`flag --base-url: base_url: http:// to "10.0.0.1"`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
}

func TestInsecureHTTP(t *testing.T) {
	tests := []struct {
		url   string
		allow bool
		ok    bool
	}{
		{"http://localhost:8080", false, true},
		{"http://LOCALHOST", false, true},
		{"http://127.0.0.1:1", false, true},
		{"http://127.9.8.7", false, true},
		{"http://[::1]:8080", false, true},
		{"http://128.0.0.1", false, false},
		{"http://localhost.evil.example", false, false},
		{"http://[::2]", false, false},
		{"http://api.example", true, true},
		{"https://api.example/", false, true},
	}
	for _, tt := range tests {
		_, msg := validateBaseURL(tt.url, tt.allow)
		if (msg == "") != tt.ok {
			t.Errorf("%s allow=%t: ok=%t (%s), want ok=%t", tt.url, tt.allow, msg == "", msg, tt.ok)
		}
	}
}

func TestUnknownKeysWarn(t *testing.T) {
	isolate(t)
	p := writeConfig(t, "token: "+tok("t")+"\npoll_intervall: 5s\nprofiles:\n  acme:\n    tokn: x\n")
	_, rep, err := Load(LoadOptions{})
	if err != nil {
		t.Fatalf("unknown keys must not be errors: %v", err)
	}
	var got []string
	for _, w := range rep.Warnings {
		got = append(got, w.String())
	}
	want := []string{p + ": poll_intervall: unknown key, ignored", p + ": profiles.acme.tokn: unknown key, ignored"}
	if len(got) != 2 || !strings.HasPrefix(got[0], want[0]) || !strings.HasPrefix(got[1], want[1]) {
		t.Errorf("warnings:\n%s\nwant prefixes:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoosePermissionsWarn(t *testing.T) {
	isolate(t)
	p := writeConfig(t, "token: "+tok("t")+"\n")
	if err := chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	_, rep, _ := Load(LoadOptions{})
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0].String(), "readable by others (mode 0644)") {
		t.Errorf("warnings %v", rep.Warnings)
	}
}

// TestAllProfiles: validate reports problems in profiles that are not
// selected too.
func TestAllProfiles(t *testing.T) {
	isolate(t)
	writeConfig(t, "token: "+tok("t")+"\nprofiles:\n  bad:\n    token: nope\n    timeout: 0s\n")
	if _, _, err := Load(LoadOptions{}); err != nil {
		t.Fatalf("selected profile is fine: %v", err)
	}
	// ABTOP_TOKEN would win at run time, but validate checks the file.
	t.Setenv("ABTOP_TOKEN", tok("e"))
	_, _, err := Load(LoadOptions{AllProfiles: true})
	got := problemStrings(err)
	if len(got) != 2 || !strings.Contains(got[0], "profiles.bad.token: must start") || !strings.Contains(got[1], "profiles.bad.timeout: 0s is out of bounds") {
		t.Errorf("got %q", got)
	}
}

func TestMaskToken(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "(none)"},
		{"ab_", "ab_…"},
		{"ab_1234", "ab_…"},
		{"ab_12345wxyz", "ab_…wxyz"},
		{tok("q")[:47] + "wxyz", "ab_…wxyz"},
		{"sk-0123456789abcd", "…abcd"},
		{"xyz", "…"},
		{"ab_ééééééééé", "ab_…éééé"}, // rune-safe: no broken UTF-8
	}
	for _, tt := range tests {
		if got := MaskToken(tt.in); got != tt.want {
			t.Errorf("MaskToken(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestConfigPrintsMasked: a Config printed by accident never shows the token.
func TestConfigPrintsMasked(t *testing.T) {
	c := Config{Token: tok("s")}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c)} {
		if strings.Contains(s, tok("s")) {
			t.Errorf("token leaked: %s", s)
		}
	}
}

func TestValidateLimiterValues(t *testing.T) {
	for _, ok := range []string{"local", "memory", "redis://h:6379/0", "rediss://h:6380/1?org=acme"} {
		if msg := validateLimiter(ok); msg != "" {
			t.Errorf("%q refused: %s", ok, msg)
		}
	}
	for _, bad := range []string{"Memory", "mem", "localhost:6379", "http://h"} {
		if msg := validateLimiter(bad); msg == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}
