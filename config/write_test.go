package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteTokenCreatesPrivateFile(t *testing.T) {
	dir := isolate(t)
	p := filepath.Join(dir, "new", "abtop", "config.yaml")
	if err := WriteToken(p, "acme", tok("a")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %04o, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(filepath.Dir(p))
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %04o, want 0700", dst.Mode().Perm())
	}
	cfg, _, err := Load(LoadOptions{ConfigFile: p, Flags: flagSet(t, map[string]string{"profile": "acme"})})
	if err != nil || cfg.Token != tok("a") {
		t.Fatalf("reload: %v, token %s", err, MaskToken(cfg.Token))
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".config-*"))
	if len(left) != 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}

// TestWriteTokenPreserves: other keys, profiles and comments survive, and a
// loose mode is tightened to 0600.
func TestWriteTokenPreserves(t *testing.T) {
	isolate(t)
	p := writeConfig(t, `# my abtop config
default_profile: acme
poll_interval: 7s # slower
profiles:
  acme:
    token: `+tok("o")+`
    limiter: redis://localhost:6379/0
  other: { token: `+tok("x")+` }
keys:
  pause: ["p", "space"]
`)
	os.Chmod(p, 0o644)
	if err := WriteToken(p, "ACME", tok("n")); err != nil {
		t.Fatal(err)
	}
	if err := WriteToken(p, "", tok("d")); err != nil {
		t.Fatal(err)
	}
	if err := WriteToken(p, "fresh", tok("f")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	s := string(b)
	for _, want := range []string{"# my abtop config", "# slower", "limiter: redis://localhost:6379/0", `pause: ["p", "space"]`, "default_profile: acme"} {
		if !strings.Contains(s, want) {
			t.Errorf("lost %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, tok("o")) {
		t.Errorf("old acme token still there:\n%s", s)
	}
	if n := strings.Count(s, "acme:"); n != 1 {
		t.Errorf("profile acme appears %d times:\n%s", n, s)
	}
	for profile, want := range map[string]string{"acme": tok("n"), "other": tok("x"), "default": tok("d"), "fresh": tok("f")} {
		cfg, _, err := Load(LoadOptions{Flags: flagSet(t, map[string]string{"profile": profile})})
		if err != nil || cfg.Token != want {
			t.Errorf("profile %s: %v, token %s, want %s", profile, err, MaskToken(cfg.Token), MaskToken(want))
		}
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o after rewrite, want 0600", st.Mode().Perm())
	}
}

func TestWriteTokenRefuses(t *testing.T) {
	dir := isolate(t)
	p := filepath.Join(dir, "c.yaml")
	tests := []struct {
		name, body, profile, token, want string
	}{
		{"bad token, nothing written", "", "acme", "ab_" + strings.Repeat("z", 20), "must be exactly 51 characters"},
		{"malformed YAML left alone", "a: [\n", "acme", tok("a"), "not valid YAML"},
		{"top level is a list", "- a\n", "acme", tok("a"), "top level is not a map"},
		{"profile name unsafe", "", "../x", tok("a"), "names use only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(p)
			if tt.body != "" {
				os.WriteFile(p, []byte(tt.body), 0o600)
			}
			err := WriteToken(p, tt.profile, tt.token)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("error leaks the token: %v", err)
			}
			b, _ := os.ReadFile(p)
			if string(b) != tt.body {
				t.Errorf("file changed to %q", b)
			}
		})
	}
}

func TestWriteTokenFollowsSymlink(t *testing.T) {
	dir := isolate(t)
	target := filepath.Join(dir, "dotfiles", "abtop.yaml")
	os.MkdirAll(filepath.Dir(target), 0o700)
	os.WriteFile(target, []byte("poll_interval: 9s\n"), 0o600)
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	if err := WriteToken(link, "", tok("l")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("symlink replaced by a file")
	}
	b, _ := os.ReadFile(target)
	if !strings.Contains(string(b), tok("l")) || !strings.Contains(string(b), "poll_interval: 9s") {
		t.Errorf("target: %s", b)
	}
}
