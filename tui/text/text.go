// Package text measures, cuts and formats strings for the dashboard. Every
// width here is in terminal cells (ansi.StringWidth), never bytes or runes,
// so wide glyphs and styled text line up.
package text

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
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

// Duration formats d the way a person reads a countdown: "45s", "3m 12s",
// "4h 05m", "3d 4h". Negative durations are shown as 0s.
func Duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < 10*time.Second && d%time.Second != 0:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm %02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 24*time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh %02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		d = d.Round(time.Hour)
		return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	}
}

// Age formats a short age like "2s", "4m", "3h", "2d" for tables.
func Age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	default:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
}

// Int formats n with thousands separators: 25000 → "25,000".
func Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Float formats a credit amount: thousands separators, at most one decimal.
func Float(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "?"
	}
	whole := math.Trunc(f)
	frac := math.Abs(f - whole)
	s := Int(int64(whole))
	if f < 0 && whole == 0 {
		s = "-0"
	}
	if d := int(math.Round(frac * 10)); d > 0 && d < 10 {
		s += "." + strconv.Itoa(d)
	}
	return s
}

// Lines splits s into lines (a trailing newline does not make an empty line).
func Lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Credits is an amount of credits with the noun agreeing: "1 credit",
// "0.5 credits", "20 credits".
func Credits(f float64) string {
	s := Float(f)
	if s == "1" {
		return s + " credit"
	}
	return s + " credits"
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
