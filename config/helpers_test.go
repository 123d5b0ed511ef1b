package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// tok is a well-formed token whose body is 48 copies of c.
func tok(c string) string { return TokenPrefix + strings.Repeat(c, TokenLen-len(TokenPrefix)) }

// isolate points HOME and the XDG dirs at a fresh temp dir and clears every
// ABTOP_* variable, so the developer's own config never leaks into a test.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "cfg"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	for _, k := range EnvNames() {
		t.Setenv(k, "")
	}
	return dir
}

// writeConfig writes the default config file with body and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p, err := DefaultFile(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func problemStrings(err error) []string {
	ve, ok := err.(*ValidationError)
	if !ok {
		return nil
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.String())
	}
	return out
}

// flagSet is a command line that gave kv (config key → value): every flag
// of the settings table declared with its type, as cmd/abtop declares
// them, and those of kv set.
func flagSet(t *testing.T, kv map[string]string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("abtop", pflag.ContinueOnError)
	for _, s := range settings {
		if s.flag == "" {
			continue
		}
		if _, isBool := s.def.(bool); isBool {
			fs.Bool(s.flag[2:], false, "")
		} else {
			fs.String(s.flag[2:], "", "")
		}
	}
	for k, v := range kv {
		s := lookupSetting(k)
		if s.flag == "" {
			t.Fatalf("%s has no flag", k)
		}
		if err := fs.Set(s.flag[2:], v); err != nil {
			t.Fatal(err)
		}
	}
	return fs
}
