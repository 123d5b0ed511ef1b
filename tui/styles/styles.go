// Package styles holds the dashboard's one Styles struct. Names are semantic
// (calm, warning, critical, dim) so components never pick a colour; with
// NoColor every style collapses to plain text plus attributes that do not
// rely on colour (bold, reverse), so the screen reads the same without it.
package styles

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Level is how close a budget is to running out.
type Level int

const (
	Unknown  Level = iota // no data
	Calm                  // < 60% used
	Warning               // ≥ 60% used
	Critical              // ≥ 85% used, or the server said 429/402
)

// Thresholds as fractions of the budget used.
const (
	WarnAt     = 0.60
	CriticalAt = 0.85
)

// LevelOf classifies a used fraction in [0,1]; negative means unknown.
func LevelOf(used float64) Level {
	switch {
	case used < 0:
		return Unknown
	case used >= CriticalAt:
		return Critical
	case used >= WarnAt:
		return Warning
	default:
		return Calm
	}
}

// Glyph is the colour-free marker of a level.
func (l Level) Glyph() string {
	switch l {
	case Calm:
		return "●"
	case Warning:
		return "⚠"
	case Critical:
		return "✖"
	default:
		return "?"
	}
}

// Word names the level in text.
func (l Level) Word() string {
	switch l {
	case Calm:
		return "ok"
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	default:
		return "unknown"
	}
}

// Styles is every style the dashboard uses.
type Styles struct {
	NoColor bool

	Calm     lipgloss.Style
	Warning  lipgloss.Style
	Critical lipgloss.Style
	Unknown  lipgloss.Style
	Dim      lipgloss.Style // stale or secondary values
	Title    lipgloss.Style // box titles, app name
	Border   lipgloss.Style
	Key      lipgloss.Style // key names in the footer
	Selected lipgloss.Style // the selected table row
	Header   lipgloss.Style // table column headings
	Accent   lipgloss.Style
}

// New builds the styles. noColor drops every colour; isDark picks the
// palette for the terminal's background.
func New(noColor, isDark bool) Styles {
	if noColor {
		plain := lipgloss.NewStyle()
		return Styles{
			NoColor:  true,
			Calm:     plain,
			Warning:  plain,
			Critical: plain.Bold(true),
			Unknown:  plain,
			Dim:      plain,
			Title:    plain.Bold(true),
			Border:   plain,
			Key:      plain.Bold(true),
			Selected: plain.Reverse(true),
			Header:   plain.Bold(true),
			Accent:   plain,
		}
	}
	ld := lipgloss.LightDark(isDark)
	fg := func(light, dark string) lipgloss.Style {
		return lipgloss.NewStyle().Foreground(ld(lipgloss.Color(light), lipgloss.Color(dark)))
	}
	var selBG color.Color = ld(lipgloss.Color("#D0D7E5"), lipgloss.Color("#2C3548"))
	return Styles{
		Calm:     fg("#1A7F37", "#3FB950"),
		Warning:  fg("#9A6700", "#D29922"),
		Critical: fg("#CF222E", "#F85149").Bold(true),
		Unknown:  fg("#6E7781", "#8B949E"),
		Dim:      fg("#8C959F", "#6E7681"),
		Title:    fg("#0550AE", "#79C0FF").Bold(true),
		Border:   fg("#AFB8C1", "#484F58"),
		Key:      fg("#0550AE", "#79C0FF").Bold(true),
		Selected: lipgloss.NewStyle().Background(selBG).Bold(true),
		Header:   fg("#57606A", "#8B949E").Bold(true),
		Accent:   fg("#8250DF", "#D2A8FF"),
	}
}

// For returns the style of a level.
func (s Styles) For(l Level) lipgloss.Style {
	switch l {
	case Calm:
		return s.Calm
	case Warning:
		return s.Warning
	case Critical:
		return s.Critical
	default:
		return s.Unknown
	}
}
