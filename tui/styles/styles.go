// Package styles holds the dashboard's one Styles struct. Names are semantic
// (calm, warning, critical, dim) so components never pick a colour; with
// NoColor every style collapses to plain text plus attributes that do not
// rely on colour (bold, reverse), so the screen reads the same without it.
package styles

import (
	"strings"

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

// Paint is a style reduced to the escape sequences around one line of
// text. lipgloss.Style.Render measures, wraps and pads on every call; the
// dashboard styles hundreds of short single-line strings per frame, so it
// renders each style once (in New) and reuses the result.
type Paint struct{ open, close string }

// marker is a private-use rune no dashboard text contains.
const marker = "\uE000"

func paint(st lipgloss.Style) Paint {
	out := st.Render(marker)
	i := strings.Index(out, marker)
	if i < 0 {
		return Paint{}
	}
	return Paint{open: out[:i], close: out[i+len(marker):]}
}

// Render wraps one line of text (several are joined) in the style.
func (p Paint) Render(strs ...string) string {
	s := strings.Join(strs, "")
	if p.open == "" && p.close == "" {
		return s
	}
	return p.open + s + p.close
}

// Styles is every style the dashboard uses.
type Styles struct {
	NoColor bool

	Calm     Paint
	Warning  Paint
	Critical Paint
	Unknown  Paint
	Dim      Paint // stale or secondary values
	Title    Paint // box titles, app name
	Border   Paint
	Key      Paint // key names in the footer
	Selected Paint // the selected table row
	Header   Paint // table column headings
	Accent   Paint

	// KeyStyle and DimStyle are the lipgloss forms, for bubbles/help.
	KeyStyle lipgloss.Style
	DimStyle lipgloss.Style
}

// New builds the styles. noColor drops every colour; isDark picks the
// palette for the terminal's background.
func New(noColor, isDark bool) Styles {
	if noColor {
		plain := lipgloss.NewStyle()
		bold := paint(plain.Bold(true))
		return Styles{
			NoColor:  true,
			Critical: bold,
			Title:    bold,
			Key:      bold,
			Selected: paint(plain.Reverse(true)),
			Header:   bold,
			KeyStyle: plain.Bold(true),
			DimStyle: plain,
		}
	}
	ld := lipgloss.LightDark(isDark)
	fg := func(light, dark string) lipgloss.Style {
		return lipgloss.NewStyle().Foreground(ld(lipgloss.Color(light), lipgloss.Color(dark)))
	}
	selBG := ld(lipgloss.Color("#D0D7E5"), lipgloss.Color("#2C3548"))
	key := fg("#0550AE", "#79C0FF").Bold(true)
	dim := fg("#8C959F", "#6E7681")
	return Styles{
		Calm:     paint(fg("#1A7F37", "#3FB950")),
		Warning:  paint(fg("#9A6700", "#D29922")),
		Critical: paint(fg("#CF222E", "#F85149").Bold(true)),
		Unknown:  paint(fg("#6E7781", "#8B949E")),
		Dim:      paint(dim),
		Title:    paint(fg("#0550AE", "#79C0FF").Bold(true)),
		Border:   paint(fg("#AFB8C1", "#484F58")),
		Key:      paint(key),
		Selected: paint(lipgloss.NewStyle().Background(selBG).Bold(true)),
		Header:   paint(fg("#57606A", "#8B949E").Bold(true)),
		Accent:   paint(fg("#8250DF", "#D2A8FF")),
		KeyStyle: key,
		DimStyle: dim,
	}
}

// For returns the style of a level.
func (s Styles) For(l Level) Paint {
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
