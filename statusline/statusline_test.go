package statusline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func i64(n int64) *int64     { return &n }
func f64(f float64) *float64 { return &f }
func intp(n int) *int        { return &n }

func TestPathRefusesEscapes(t *testing.T) {
	for _, p := range []string{"", "../x", "a/b", "A", "x.json"} {
		if _, err := Path("/s", p); err == nil {
			t.Errorf("Path(%q) accepted", p)
		}
	}
	if p, err := Path("/s", "team-2_x"); err != nil || p != "/s/statusline-team-2_x.json" {
		t.Errorf("%q %v", p, err)
	}
}

func TestReadRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"garbage": "{", "version": `{"version":99}`} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		if _, err := Read(p); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}

func fullState() State {
	return State{Version: Version, Profile: "acme", ObservedAt: t0, Unit: "requests", Limit: i64(60), Remaining: i64(12),
		Reset: t0.Add(42 * time.Second), QuotaLimit: i64(5000), QuotaRemaining: i64(900), QuotaReset: t0.Add(72 * time.Hour),
		Credits: f64(1250.5), Running: intp(3), Alerts: []string{"acme: quota 82% #(rm -rf ~) used\x1b[2J"}}
}

func TestPresets(t *testing.T) {
	now := t0.Add(2 * time.Second)
	old := t0.Add(10 * time.Minute) // past the rate reset, and stale
	for _, tc := range []struct {
		name, preset string
		noColor      bool
		st           State
		ok           bool
		now          time.Time
		input        map[string]any
		want         string
	}{
		{"tmux", "tmux", false, fullState(), true, now, nil,
			"#[fg=warn]ab 12/60 ↻40s#[default] q82% ¢1250.5 ▶3 #[fg=red]⚠1#[default]"},
		{"tmux no colour", "tmux", true, fullState(), true, now, nil, "ab 12/60 ↻40s q82% ¢1250.5 ▶3 ⚠1"},
		{"tmux stale refilled", "tmux", true, fullState(), true, old, nil, "ab 60/60 ↻0s q82% ¢1250.5 ▶3 ⚠1 stale"},
		{"tmux nothing yet", "tmux", true, State{}, false, now, nil, "ab ?/? stale"},
		{"starship", "starship", false, fullState(), true, now, nil, "ab 12/60 q82% ¢1250.5 ⚠1"},
		{"agent", "agent", true, fullState(), true, now, map[string]any{"model": map[string]any{"display_name": "Opus\x07"}},
			"Opus · abtop 12/60 ↻40s · quota 82% used · 1250.5 credits · 3 running · ⚠ acme: quota 82% #(rm -rf ~) used[2J"},
		{"agent odd input", "agent", true, fullState(), true, now, map[string]any{"model": "a string"},
			"abtop 12/60 ↻40s · quota 82% used · 1250.5 credits · 3 running · ⚠ acme: quota 82% #(rm -rf ~) used[2J"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := LookupPreset(tc.preset)
			if err != nil {
				t.Fatal(err)
			}
			tpl, err := Parse(p.Template, p.Style, tc.noColor)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tpl.Render(tc.st, tc.ok, Options{Now: tc.now, MaxAge: time.Minute, Input: tc.input})
			want := strings.ReplaceAll(tc.want, "#[fg=warn]", "#[fg=yellow]")
			if err != nil || got != want {
				t.Fatalf("got  %q (%v)\nwant %q", got, err, want)
			}
		})
	}
}

// tmux runs #(…) and styles #[…] in status output: a server-quoted alert
// must reach tmux with "#" doubled.
func TestTmuxEscapesHash(t *testing.T) {
	tpl, err := Parse(`{{.alert}}`, StyleTmux, false)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := tpl.Render(fullState(), true, Options{Now: t0, MaxAge: time.Minute})
	if got != "acme: quota 82% ##(rm -rf ~) used[2J" {
		t.Fatalf("%q", got)
	}
}

func TestCustomFormatAndLevels(t *testing.T) {
	tpl, err := Parse(`{{.level}} {{.quota_remaining}}/{{.quota_limit}} {{.quota_reset}} {{.age}} {{.unit}} {{.profile}}`, StyleNone, false)
	if err != nil {
		t.Fatal(err)
	}
	st := fullState()
	st.QuotaRemaining = i64(400) // 8 % left: critical
	got, _ := tpl.Render(st, true, Options{Now: t0.Add(90 * time.Second), MaxAge: time.Minute})
	if got != "crit 400/5000 2d23h 1m requests acme" {
		t.Fatalf("%q", got)
	}
	if _, err := Parse(`{{.remaining`, StyleNone, false); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Fatalf("bad template: %v", err)
	}
	if _, err := LookupPreset("i3"); err == nil || !strings.Contains(err.Error(), "agent, starship, tmux") {
		t.Fatalf("unknown preset: %v", err)
	}
}

func TestReadInput(t *testing.T) {
	for in, n := range map[string]int{`{"model":{"id":"x"},"cwd":"/"}`: 2, ``: 0, `[1,2]`: 0, `{"a":`: 0} {
		if got := ReadInput(strings.NewReader(in)); len(got) != n {
			t.Errorf("%q: %v", in, got)
		}
	}
}

// The CLI's path: read the state file, parse the preset, render.
func BenchmarkReadRender(b *testing.B) {
	path := filepath.Join(b.TempDir(), "statusline-acme.json")
	if err := Write(path, fullState()); err != nil {
		b.Fatal(err)
	}
	p, _ := LookupPreset("tmux")
	now := t0.Add(time.Second)
	for b.Loop() {
		st, err := Read(path)
		if err != nil {
			b.Fatal(err)
		}
		tpl, err := Parse(p.Template, p.Style, false)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tpl.Render(st, true, Options{Now: now, MaxAge: time.Minute}); err != nil {
			b.Fatal(err)
		}
	}
}
