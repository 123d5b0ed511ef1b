package text

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestNarrowAgreesWithAnsi(t *testing.T) {
	for r := rune(0); r < 0x3000; r++ {
		if narrow(r) {
			if w := ansi.StringWidth(string(r)); w != 1 {
				t.Errorf("U+%04X %q: fast path says 1, ansi says %d", r, r, w)
			}
		}
	}
}

func TestWidthMatchesAnsi(t *testing.T) {
	for _, s := range []string{
		"", "abc", "╭─ Rate ─╮", "\x1b[1;38;2;1;2;3mbold\x1b[m", "⣿⣶⣤ ✕ 429", "日本語", "e\u0301", "👍🏽 ok",
		"\x1b]8;;http://x\x07link\x1b]8;;\x07", "tab\there", "ab_…7Qx2 (env)", "⚠ ◷ ▸ · ✓ ✗ ⊘",
	} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, ansi says %d", s, got, want)
		}
	}
}

func TestCutAndFitCountCellsNotBytes(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want string
	}{
		{"hello", 10, "hello     "},
		{"hello world", 5, "hell…"},
		{"日本語テキスト", 5, "日本…"},
		{"\x1b[1mbold text\x1b[m", 4, "\x1b[1mbol…\x1b[m"},
		{"⣿⣿⣿", 2, "⣿…"},
	}
	for _, c := range cases {
		got := Fit(c.in, c.w)
		if Width(got) != c.w {
			t.Errorf("Fit(%q,%d) = %q, %d cells", c.in, c.w, got, Width(got))
		}
		if ansi.Strip(got) != ansi.Strip(c.want) && Width(c.want) == c.w {
			t.Errorf("Fit(%q,%d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}

func TestCleanRemovesEscapesAndControls(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text · ✓ 日本", "plain text · ✓ 日本"},
		{"a\nb\tc\rd", "a b c d"},
		{"\x1b[31mred\x1b[0m", "red"},
		{"\x1b]0;title\x07after", "after"},
		{"bell\x07 del\x7f c1\u0085", "bell  del  c1 "},
		{"bad \xff byte", "bad \uFFFD byte"},
	} {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
