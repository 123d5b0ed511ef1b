// Package text measures, cuts and formats strings for the dashboard. Every
// width here is in terminal cells (ansi.StringWidth), never bytes or runes,
// so wide glyphs and styled text line up.
package text

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Width is the number of cells s occupies.
func Width(s string) int { return width(s) }

// Cut truncates s to at most w cells, ending with "…" when something was cut.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Fit cuts s to w cells and pads it with spaces to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = Cut(s, w)
	if n := width(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// FitRight is Fit with the text aligned right.
func FitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = Cut(s, w)
	if n := width(s); n < w {
		s = strings.Repeat(" ", w-n) + s
	}
	return s
}

// Spread puts left and right on one line of exactly w cells, cutting the
// left part first when both do not fit.
func Spread(left, right string, w int) string {
	rw := width(right)
	if rw >= w {
		return Fit(right, w)
	}
	return Fit(left, w-rw-1) + " " + right
}

// Lines splits s into lines (a trailing newline does not make an empty line).
func Lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Clean makes text from outside (server messages, file contents, error
// strings) safe to draw: escape sequences are removed and control
// characters, newlines included, become spaces, so a string can neither
// restyle or retitle the terminal nor break a line of the frame. Invalid
// UTF-8 becomes U+FFFD. Clean text is returned as is, without allocating.
func Clean(s string) string {
	dirty := false
	for _, r := range s {
		if unsafe(r) || r == utf8.RuneError {
			dirty = true
			break
		}
	}
	if !dirty {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unsafe(r) {
			return ' '
		}
		return r
	}, ansi.Strip(strings.ToValidUTF8(s, "\uFFFD")))
}

// unsafe reports C0 and C1 control characters and DEL.
func unsafe(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
