package frame

import (
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/tui/text"
)

type plain struct{}

func (plain) Render(s ...string) string { return strings.Join(s, "") }

// Every line of a box is exactly its width in cells, whatever the title,
// foot and content (wide runes included); a foot that does not fit whole
// is left out rather than cut.
func TestBoxIsExactlyItsSize(t *testing.T) {
	for _, c := range []struct {
		name, title, foot string
		lines             []string
		w, h              int
		wantFoot          bool
	}{
		{"plain", "Rate", "from header · 2s ago", []string{"41/60 req left"}, 32, 5, true},
		{"wide runes", "日本語のタイトル", "足", []string{"日本語日本語日本語日本語日本語日本語"}, 20, 4, true},
		{"foot too long", "t", "from header · 2s ago", nil, 12, 3, false},
		{"overflowing content", "", "", []string{strings.Repeat("x", 100)}, 10, 3, false},
	} {
		box := BoxFoot(c.title, c.foot, c.lines, c.w, c.h, plain{}, plain{}, plain{})
		if len(box) != c.h {
			t.Errorf("%s: %d lines, want %d", c.name, len(box), c.h)
		}
		for i, l := range box {
			if text.Width(l) != c.w {
				t.Errorf("%s: line %d is %d cells, want %d: %q", c.name, i, text.Width(l), c.w, l)
			}
		}
		if got := strings.Contains(box[len(box)-1], c.foot) && c.foot != ""; got != c.wantFoot {
			t.Errorf("%s: foot shown %v, want %v: %q", c.name, got, c.wantFoot, box[len(box)-1])
		}
	}
}
