package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/config"
)

// readmeFlagRows returns the Configuration table of README.md: config key
// → flag name (without --), for the rows that name a flag.
func readmeFlagRows(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([a-z_]+)` \\| [^|]* \\| `--([a-z-]+)` \\|")
	rows := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if m := row.FindStringSubmatch(l); m != nil {
			rows[m[1]] = m[2]
		}
	}
	if len(rows) < 8 {
		t.Fatalf("found %d flag rows in README's configuration table; the table's format changed?", len(rows))
	}
	return rows
}

// Issue 11 item 5: every flag README's configuration table promises is a
// flag of every command (it is persistent), sets the key the table says,
// and the flags that set config keys are all in the table.
func TestReadmeFlagTableMatchesTheFlags(t *testing.T) {
	rows := readmeFlagRows(t)
	flagKeys := config.FlagKeys()
	root := newRootCmd(&app{})
	sample := map[string]string{"profile": "default", "base-url": "http://127.0.0.1:9", "token-file": "", "allow-insecure-http": "",
		"poll-interval": "7s", "timeout": "9s", "limiter": "redis://127.0.0.1:1/0", "journal": "/tmp/abtop-readme-test.db", "no-color": ""}
	for key, flag := range rows {
		t.Run(flag, func(t *testing.T) {
			f := root.PersistentFlags().Lookup(flag)
			if f == nil {
				t.Fatalf("README promises --%s (%s); abtop has no such global flag", flag, key)
			}
			if k, ok := flagKeys[flag]; ok && k != key && key != "default_profile" {
				t.Errorf("--%s sets %s; README says %s", flag, k, key)
			}
			val, ok := sample[flag]
			if !ok {
				t.Fatalf("no sample value for --%s: add one", flag)
			}
			isolateConfig(t)
			t.Setenv("ABTOP_TOKEN", cfgTok("r"))
			args := []string{"config", "show", "--json", "--" + flag}
			if flag == "token-file" {
				p := filepath.Join(t.TempDir(), "tok")
				os.WriteFile(p, []byte(cfgTok("f")+"\n"), 0o600)
				args[len(args)-1] += "=" + p
			} else if val != "" {
				args = append(args, val)
			}
			code, out, errOut := runCmd(t, nil, args...)
			if code != 0 {
				t.Fatalf("abtop %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
			}
			var shown struct {
				Values map[string]struct {
					Source string `json:"source"`
				} `json:"values"`
			}
			if err := json.Unmarshal([]byte(out), &shown); err != nil {
				t.Fatalf("config show --json: %v\n%s", err, out)
			}
			if v, ok := shown.Values[key]; ok && v.Source == "default" {
				t.Errorf("--%s did not set %s (source %q)", flag, key, v.Source)
			}
		})
	}
	for flag := range flagKeys {
		found := false
		for _, f := range rows {
			found = found || f == flag
		}
		if !found {
			t.Errorf("--%s sets config key %s but is not in README's configuration table", flag, flagKeys[flag])
		}
	}
}
