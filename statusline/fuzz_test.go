package statusline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Whatever a state file or an editor's stdin holds, every preset renders
// one line without control characters other than its own colour codes,
// and never panics.
func FuzzRender(f *testing.F) {
	full, _ := json.Marshal(fullState())
	f.Add(full, []byte(`{"model":{"display_name":"Opus"}}`))
	f.Add([]byte(`{"version":1,"limit":-5,"remaining":99,"reset":"0001-01-01T00:00:00Z","credits":1e308}`), []byte(`[]`))
	f.Add([]byte(`{"version":1,"quota_limit":0,"quota_remaining":3,"alerts":["\u001b]0;x\u0007"]}`), []byte(`{"model":7}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, state, input []byte) {
		path := filepath.Join(dir, "s.json")
		if err := os.WriteFile(path, state, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := Read(path)
		in := ReadInput(strings.NewReader(string(input)))
		for _, name := range Presets() {
			p, _ := LookupPreset(name)
			tpl, perr := Parse(p.Template, p.Style, true)
			if perr != nil {
				t.Fatal(perr)
			}
			out, rerr := tpl.Render(st, err == nil, Options{Now: t0, MaxAge: time.Minute, Input: in})
			if rerr != nil {
				t.Fatalf("%s: %v", name, rerr)
			}
			if strings.ContainsFunc(out, func(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 }) {
				t.Fatalf("%s: control character in %q", name, out)
			}
		}
	})
}
