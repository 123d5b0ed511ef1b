package main

import (
	"strings"
	"testing"
)

// TestConfigShowMasksATokenInTheBaseURL: a token pasted into base_url (as
// ?key=) makes the value invalid; `config show` still prints it, and must
// mask the token there as everywhere else (issue 2 item 3).
func TestConfigShowMasksATokenInTheBaseURL(t *testing.T) {
	pasted := cfgTok("s")
	for _, args := range [][]string{{"config", "show"}, {"config", "show", "--json"}} {
		stEnv(t, "https://api.abstrakt.dev/v1?key="+pasted)
		_, out, errOut := stRun(t, "", args...)
		if strings.Contains(out+errOut, pasted) {
			t.Errorf("%v prints the pasted token in full:\n%s%s", args, out, errOut)
		}
		if !strings.Contains(out, "base_url") {
			t.Errorf("%v does not show base_url:\n%s", args, out)
		}
	}
}
