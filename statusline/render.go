package statusline

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"
)

// Style says which colour codes the style function writes.
type Style string

const (
	StyleNone Style = "none" // plain text
	StyleTmux Style = "tmux" // #[fg=…] for status-left/right
	StyleANSI Style = "ansi" // SGR escapes, for an editor or agent status line
)

// Levels a template can pass to style, and "end" to go back to default.
var styles = map[Style]map[string]string{
	StyleTmux: {"ok": "#[fg=green]", "warn": "#[fg=yellow]", "crit": "#[fg=red]", "dim": "#[fg=colour244]", "end": "#[default]"},
	StyleANSI: {"ok": "\x1b[32m", "warn": "\x1b[33m", "crit": "\x1b[31m", "dim": "\x1b[2m", "end": "\x1b[0m"},
}

// A Preset is a ready template and its style.
type Preset struct {
	Style    Style
	Template string
}

// Presets by name (`abtop statusline --preset NAME`).
var presets = map[string]Preset{
	// tmux: set -g status-right '#(abtop statusline --preset tmux)'
	"tmux": {StyleTmux, `{{style .level}}ab {{or .remaining "?"}}/{{or .limit "?"}}{{with .reset}} ↻{{.}}{{end}}{{style "end"}}` +
		`{{with .quota}} q{{.}}{{end}}{{with .credits}} ¢{{.}}{{end}}{{with .running}} ▶{{.}}{{end}}` +
		`{{with .alerts}} {{style "crit"}}⚠{{.}}{{style "end"}}{{end}}{{if .stale}} {{style "dim"}}stale{{style "end"}}{{end}}`},
	// starship: a [custom.abtop] module colours the output with its own style.
	"starship": {StyleNone, `ab {{or .remaining "?"}}/{{or .limit "?"}}{{with .quota}} q{{.}}{{end}}` +
		`{{with .credits}} ¢{{.}}{{end}}{{with .alerts}} ⚠{{.}}{{end}}{{if .stale}} (stale){{end}}`},
	// An editor or coding agent runs the command with its context as JSON
	// on stdin (model, workspace, …), available as .input.
	"agent": {StyleANSI, `{{with get .input "model" "display_name"}}{{.}} · {{end}}` +
		`{{style .level}}abtop {{or .remaining "?"}}/{{or .limit "?"}}{{with .reset}} ↻{{.}}{{end}}{{style "end"}}` +
		`{{with .quota}} · quota {{.}} used{{end}}{{with .credits}} · {{.}} credits{{end}}{{with .running}} · {{.}} running{{end}}` +
		`{{with .alert}} · {{style "crit"}}⚠ {{.}}{{style "end"}}{{end}}{{if .stale}} · {{style "dim"}}stale{{style "end"}}{{end}}`},
}

// Presets lists the preset names, sorted.
func Presets() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupPreset returns the preset called name.
func LookupPreset(name string) (Preset, error) {
	p, ok := presets[name]
	if !ok {
		return Preset{}, fmt.Errorf("statusline: no preset %q (have %s)", name, strings.Join(Presets(), ", "))
	}
	return p, nil
}

// Template is a parsed status line.
type Template struct {
	t     *template.Template
	style Style
}

// Parse parses a --format template. With noColor (NO_COLOR, --no-color)
// style writes nothing.
func Parse(text string, style Style, noColor bool) (*Template, error) {
	codes := styles[style]
	if noColor {
		codes = nil
	}
	t, err := template.New("statusline").Option("missingkey=zero").Funcs(template.FuncMap{
		"style": func(level string) string { return codes[level] },
		"get":   get,
	}).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("statusline: --format: %w", err)
	}
	return &Template{t: t, style: style}, nil
}

// Options of one rendering.
type Options struct {
	Now    time.Time
	MaxAge time.Duration  // older observations render as stale
	Input  map[string]any // the caller's JSON from stdin (agent preset), or nil
}

// Render prints one line for st. ok is false when there is no state at
// all (every number renders as unknown and stale is true).
func (t *Template) Render(st State, ok bool, o Options) (string, error) {
	var b strings.Builder
	if err := t.t.Execute(&b, Fields(st, ok, t.style, o)); err != nil {
		return "", fmt.Errorf("statusline: %w", err)
	}
	return b.String(), nil
}

// Fields are what a template sees, by name:
//
//	remaining, limit  the binding rate-limit dimension ("" when unknown; after its reset, remaining is the limit)
//	unit              its unit: requests, points, tokens, …
//	reset             time until it resets: "42s", "3m", "1h05m", "2d23h"
//	quota             monthly quota used: "82%"; quota_remaining, quota_limit, quota_reset as above
//	credits           credit balance: "1250.5"
//	running           jobs running
//	alerts            number of active alerts ("" when none); alert: the first one's text
//	level             "ok", "warn" or "crit": the tightest of rate and quota, for style
//	stale             true when the observation is older than the max age (or there is none)
//	age               how old the observation is: "12s"
//	profile           the profile
//	input             the JSON an editor passed on stdin, as a map
//
// and the function get walks input safely: {{get .input "model" "display_name"}}
// is "" when any step is missing or not an object.
//
// Every string is escaped for the style (tmux's "#" doubled, control
// characters dropped): alert texts may quote the server.
func Fields(st State, ok bool, style Style, o Options) map[string]any {
	esc := func(s string) string {
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, s)
		if style == StyleTmux {
			s = strings.ReplaceAll(s, "#", "##")
		}
		return s
	}
	f := map[string]any{
		"profile": esc(st.Profile), "stale": !ok || !st.Fresh(o.Now, o.MaxAge), "input": cleanInput(o.Input, esc),
		"remaining": "", "limit": "", "unit": esc(st.Unit), "reset": "", "quota": "", "quota_remaining": "",
		"quota_limit": "", "quota_reset": "", "credits": "", "running": "", "alerts": "", "alert": "", "age": "", "level": "ok",
	}
	if !ok {
		return f
	}
	f["age"] = span(o.Now.Sub(st.ObservedAt))
	remaining, rateFrac := refill(st.Limit, st.Remaining, st.Reset, o.Now)
	f["remaining"], f["limit"], f["reset"] = count(remaining), count(st.Limit), until(st.Reset, o.Now)
	qRemaining, quotaFrac := refill(st.QuotaLimit, st.QuotaRemaining, st.QuotaReset, o.Now)
	f["quota_remaining"], f["quota_limit"], f["quota_reset"] = count(qRemaining), count(st.QuotaLimit), until(st.QuotaReset, o.Now)
	if quotaFrac >= 0 {
		f["quota"] = strconv.Itoa(int((1-quotaFrac)*100+0.5)) + "%"
	}
	if st.Credits != nil {
		f["credits"] = strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(*st.Credits, 'f', 2, 64), "0"), ".")
	}
	if st.Running != nil {
		f["running"] = strconv.Itoa(*st.Running)
	}
	if len(st.Alerts) > 0 {
		f["alerts"], f["alert"] = strconv.Itoa(len(st.Alerts)), esc(st.Alerts[0])
	}
	switch tight := min(fracOr1(rateFrac), fracOr1(quotaFrac)); {
	case tight < 0.1:
		f["level"] = "crit"
	case tight < 0.3:
		f["level"] = "warn"
	}
	return f
}

// refill returns what remains, taking a reset that has passed since the
// observation as a full window (as the budget does), and remaining/limit
// (-1 when unknown).
func refill(limit, remaining *int64, reset, now time.Time) (*int64, float64) {
	if limit != nil && !reset.IsZero() && !now.Before(reset) {
		remaining = limit
	}
	if limit == nil || remaining == nil || *limit <= 0 {
		return remaining, -1
	}
	return remaining, min(max(float64(*remaining)/float64(*limit), 0), 1)
}

func fracOr1(f float64) float64 {
	if f < 0 {
		return 1
	}
	return f
}

func count(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

func until(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return span(t.Sub(now))
}

// span is a short countdown: 42s, 3m, 1h05m, 2d23h.
func span(d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

// cleanInput escapes every string in the caller's JSON.
func cleanInput(in map[string]any, esc func(string) string) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = cleanValue(v, esc)
	}
	return out
}

func cleanValue(v any, esc func(string) string) any {
	switch v := v.(type) {
	case string:
		return esc(v)
	case map[string]any:
		return cleanInput(v, esc)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cleanValue(e, esc)
		}
		return out
	}
	return v
}

// get follows keys through nested JSON objects; nil when a step is missing.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
