package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPrecedence checks flag > env > file > default for every key
// (issue 2, item 3).
func TestPrecedence(t *testing.T) {
	type key struct {
		name                 string
		def, file, env, flag string // values as written; def is the expected default
		get                  func(Config) string
	}
	dur := func(d time.Duration) string { return d.String() }
	keys := []key{
		{name: "base_url", def: DefaultBaseURL, file: "https://file.example", env: "https://env.example", flag: "https://flag.example",
			get: func(c Config) string { return c.BaseURL }},
		{name: "poll_interval", def: "5s", file: "7s", env: "8s", flag: "9s", get: func(c Config) string { return dur(c.PollInterval) }},
		{name: "timeout", def: "30s", file: "10s", env: "11s", flag: "12s", get: func(c Config) string { return dur(c.Timeout) }},
		{name: "limiter", def: "", file: "redis://file:6379/0", env: "redis://env:6379/0", flag: "rediss://flag:6379/0",
			get: func(c Config) string { return c.Limiter }},
		{name: "journal", def: "STATE/abtop/queue.db", file: "/file/q.db", env: "/env/q.db", flag: "/flag/q.db",
			get: func(c Config) string { return c.JournalPath }},
		// out has no global flag (submit and results take --out DIR).
		{name: "out", def: "", file: "/file/out", env: "/env/out",
			get: func(c Config) string { return c.Out }},
		{name: "allow_insecure_http", def: "false", file: "true", env: "false", flag: "true",
			get: func(c Config) string { return fmt.Sprint(c.AllowInsecureHTTP) }},
		{name: "no_color", def: "false", file: "true", env: "1", flag: "false",
			get: func(c Config) string { return fmt.Sprint(c.NoColor) }},
		{name: "token", def: "", file: tok("f"), env: tok("e"), flag: tok("g"),
			get: func(c Config) string { return c.Token }},
	}
	levels := []Source{SourceDefault, SourceFile, SourceEnv, SourceFlag}
	for _, k := range keys {
		for _, upTo := range levels {
			if upTo == SourceFlag && k.flag == "" {
				continue
			}
			t.Run(k.name+"/"+string(upTo), func(t *testing.T) {
				dir := isolate(t)
				var opts LoadOptions
				flags := map[string]string{}
				want := strings.ReplaceAll(k.def, "STATE", filepath.Join(dir, "state"))
				// Every other key gets a valid value from the file so only
				// the key under test varies.
				body := "token: " + tok("z") + "\n"
				if k.name == "token" {
					body = ""
				}
				if rank(upTo) >= rank(SourceFile) {
					body += k.name + ": " + k.file + "\n"
					want = k.file
				}
				writeConfig(t, body)
				if rank(upTo) >= rank(SourceEnv) {
					t.Setenv(envNames[k.name], k.env)
					want = k.env
					if k.name == "no_color" {
						want = "true" // NO_COLOR: any non-empty value
					}
				}
				if rank(upTo) >= rank(SourceFlag) {
					if k.name == "token" {
						p := filepath.Join(dir, "tokenfile")
						if err := os.WriteFile(p, []byte(k.flag+"\n"), 0o600); err != nil {
							t.Fatal(err)
						}
						opts.TokenFile = p
					} else {
						flags[k.name] = k.flag
					}
					want = k.flag
				}
				opts.Flags = flagSet(t, flags)
				cfg, rep, err := Load(opts)
				if k.name == "token" && upTo == SourceDefault {
					if err == nil || !strings.Contains(err.Error(), "token: not set") {
						t.Fatalf("no token: want a 'not set' error, got %v", err)
					}
				} else if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got := k.get(cfg); got != want {
					t.Errorf("%s = %q, want %q", k.name, got, want)
				}
				if got := rep.Origins[k.name].Source; got != upTo {
					t.Errorf("source of %s = %q, want %q (%+v)", k.name, got, upTo, rep.Origins[k.name])
				}
				if k.name == "token" && upTo != SourceDefault && cfg.TokenSource != upTo {
					t.Errorf("TokenSource = %q, want %q", cfg.TokenSource, upTo)
				}
			})
		}
	}
}

func rank(s Source) int {
	switch s {
	case SourceFile:
		return 1
	case SourceEnv:
		return 2
	case SourceFlag:
		return 3
	}
	return 0
}

const profilesYAML = `default_profile: acme
poll_interval: 7s
timeout: 20s
token: %s
profiles:
  acme:
    token: %s
    base_url: https://acme.example/
    poll_interval: 3s
  other: { token: %s }
  empty:
keys:
  pause: ["p", "space"]
  quit: q
`

func TestProfileSelection(t *testing.T) {
	tests := []struct {
		name        string
		flag, env   string
		wantProfile string
		wantToken   string
		wantPoll    time.Duration
		wantBase    string
		wantJournal string
	}{
		{name: "default_profile from the file", wantProfile: "acme", wantToken: tok("a"), wantPoll: 3 * time.Second, wantBase: "https://acme.example", wantJournal: "queue-acme.db"},
		{name: "ABTOP_PROFILE beats default_profile", env: "other", wantProfile: "other", wantToken: tok("o"), wantPoll: 7 * time.Second, wantBase: DefaultBaseURL, wantJournal: "queue-other.db"},
		{name: "--profile beats ABTOP_PROFILE, case-insensitive", flag: "OTHER", env: "acme", wantProfile: "other", wantToken: tok("o"), wantPoll: 7 * time.Second, wantBase: DefaultBaseURL, wantJournal: "queue-other.db"},
		{name: "default profile is the top level", flag: "default", wantProfile: "default", wantToken: tok("t"), wantPoll: 7 * time.Second, wantBase: DefaultBaseURL, wantJournal: "queue.db"},
		{name: "empty profile inherits the top level", flag: "empty", wantProfile: "empty", wantToken: tok("t"), wantPoll: 7 * time.Second, wantBase: DefaultBaseURL, wantJournal: "queue-empty.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			writeConfig(t, fmt.Sprintf(profilesYAML, tok("t"), tok("a"), tok("o")))
			t.Setenv("ABTOP_PROFILE", tt.env)
			flags := map[string]string{}
			if tt.flag != "" {
				flags["profile"] = tt.flag
			}
			cfg, _, err := Load(LoadOptions{Flags: flagSet(t, flags)})
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Profile != tt.wantProfile || cfg.Token != tt.wantToken || cfg.PollInterval != tt.wantPoll || cfg.BaseURL != tt.wantBase {
				t.Errorf("got profile %q token %s poll %s base %q", cfg.Profile, MaskToken(cfg.Token), cfg.PollInterval, cfg.BaseURL)
			}
			if cfg.Timeout != 20*time.Second {
				t.Errorf("timeout %s: top-level value not inherited", cfg.Timeout)
			}
			if want := filepath.Join(dir, "state", "abtop", tt.wantJournal); cfg.JournalPath != want {
				t.Errorf("journal %q, want %q", cfg.JournalPath, want)
			}
			if fmt.Sprint(cfg.Keys) != "map[pause:[p space] quit:[q]]" {
				t.Errorf("keys %v", cfg.Keys)
			}
		})
	}
}

func TestUnknownProfileListsKnownOnes(t *testing.T) {
	isolate(t)
	writeConfig(t, fmt.Sprintf(profilesYAML, tok("t"), tok("a"), tok("o")))
	_, _, err := Load(LoadOptions{Flags: flagSet(t, map[string]string{"profile": "nope"})})
	want := `flag --profile: profile: unknown profile "nope"`
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "acme, default, empty, other") {
		t.Fatalf("got %v, want %q listing acme, default, empty, other", err, want)
	}
}

func TestSandboxBeatsEverything(t *testing.T) {
	dir := isolate(t)
	writeConfig(t, "token: "+tok("f")+"\nbase_url: https://file.example\n")
	t.Setenv("ABTOP_TOKEN", tok("e"))
	cfg, rep, err := Load(LoadOptions{
		Flags:   flagSet(t, map[string]string{"base_url": "https://flag.example"}),
		Sandbox: &SandboxOverride{BaseURL: "http://127.0.0.1:4321/", Token: tok("s")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseURL != "http://127.0.0.1:4321" || cfg.Token != tok("s") || cfg.TokenSource != SourceSandbox || rep.Origins["base_url"].Source != SourceSandbox {
		t.Errorf("got %v", cfg)
	}
	if want := filepath.Join(dir, "state", "abtop", "queue-sandbox.db"); cfg.JournalPath != want {
		t.Errorf("sandbox journal %q, want %q", cfg.JournalPath, want)
	}
}

func TestMissingFiles(t *testing.T) {
	dir := isolate(t)
	t.Setenv("ABTOP_TOKEN", tok("e"))
	cfg, rep, err := Load(LoadOptions{})
	if err != nil || rep.FileExists || cfg.File != "" {
		t.Fatalf("missing default file must be fine: err %v, rep %+v", err, rep)
	}
	if want := filepath.Join(dir, "cfg", "abtop", "config.yaml"); rep.File != want {
		t.Errorf("file %q, want %q", rep.File, want)
	}
	missing := filepath.Join(dir, "nope.yaml")
	_, _, err = Load(LoadOptions{ConfigFile: missing})
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing --config file: got %v", err)
	}
}

func TestDefaultFileLocation(t *testing.T) {
	tests := []struct{ name, xdg, want string }{
		{"XDG_CONFIG_HOME", "/x/cfg", "/x/cfg/abtop/config.yaml"},
		{"HOME fallback", "", "/home/u/.config/abtop/config.yaml"},
		{"relative XDG ignored (XDG spec)", "rel/cfg", "/home/u/.config/abtop/config.yaml"},
	}
	for _, tt := range tests {
		env := map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": tt.xdg}
		got, err := DefaultFile(func(k string) string { return env[k] })
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestMalformedYAML(t *testing.T) {
	isolate(t)
	p := writeConfig(t, "token: [unclosed\n")
	_, _, err := Load(LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("got %v, want an error naming %s", err, p)
	}
}

// TestParseErrorsAreScrubbed: the YAML parser quotes keys in its errors; a
// token pasted as a key must come out masked.
func TestParseErrorsAreScrubbed(t *testing.T) {
	isolate(t)
	writeConfig(t, tok("k")+": 1\n"+tok("k")+": 2\n")
	_, _, err := Load(LoadOptions{})
	if err == nil || strings.Contains(err.Error(), tok("k")) || !strings.Contains(err.Error(), "ab_…kkkk") {
		t.Fatalf("got %v", err)
	}
}
