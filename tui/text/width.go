package text

import (
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// narrow reports whether r is always one cell wide, for the glyphs a
// dashboard frame is made of (ASCII, Latin, punctuation, arrows, box
// drawing, blocks, shapes, braille). TestNarrowAgreesWithAnsi checks every
// rune of these ranges against ansi.StringWidth, so the fast path can never
// disagree with the slow one.
func narrow(r rune) bool {
	switch {
	case r >= 0x20 && r < 0x7f:
		return true
	case r >= 0xa0 && r <= 0x2ff && r != 0xad:
		return true
	case r >= 0x2010 && r <= 0x2027, r >= 0x2030 && r <= 0x205e:
		return true
	case r >= 0x2190 && r <= 0x21ff: // arrows
		return true
	case r == 0x2212: // minus sign
		return true
	case r >= 0x2500 && r <= 0x25ff && r != 0x25fd && r != 0x25fe: // box drawing, blocks, shapes (minus two emoji)
		return true
	case r >= 0x2800 && r <= 0x28ff: // braille
		return true
	case r >= 0x2713 && r <= 0x2718, r == 0x26a0, r == 0x23f8: // ✓✔✕✖✗✘ ⚠ ⏸
		return true
	}
	return false
}

// fastWidth measures s without grapheme segmentation when every rune is
// narrow and every escape is a CSI sequence (SGR styling); ok is false
// otherwise and the caller falls back to ansi.StringWidth.
func fastWidth(s string) (w int, ok bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c == 0x1b {
			if i+1 >= len(s) || s[i+1] != '[' {
				return 0, false
			}
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
				j++
			}
			if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return 0, false
			}
			i = j + 1
			continue
		}
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return 0, false
			}
			w++
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !narrow(r) {
			return 0, false
		}
		w++
		i += n
	}
	return w, true
}

func width(s string) int {
	if w, ok := fastWidth(s); ok {
		return w
	}
	return ansi.StringWidth(s)
}
