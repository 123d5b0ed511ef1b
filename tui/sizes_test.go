package tui

import (
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/tui/text"
)

// A sweep of sizes from tiny to huge, in every pane and overlay, draws exactly
// width×height cells: nothing wraps, nothing is short, nothing panics.
func TestEverySizeFillsTheScreenExactly(t *testing.T) {
	m, _ := scenario(100, 30, false, 40)
	for _, setup := range []string{"", "tab", "l", "?", "o", "/"} {
		m, _ = scenario(100, 30, false, 40)
		if setup != "" {
			m.Update(keyMsg(setup))
		}
		for w := 20; w <= 220; w += 11 {
			for h := 5; h <= 64; h += 4 {
				m.Update(tea_WindowSize(w, h))
				out := m.Render()
				lines := strings.Split(out, "\n")
				if len(lines) != h {
					t.Fatalf("%q %d×%d: %d lines", setup, w, h, len(lines))
				}
				for i, l := range lines {
					if n := text.Width(l); n != w {
						t.Fatalf("%q %d×%d: line %d is %d cells: %q", setup, w, h, i, n, l)
					}
				}
			}
		}
	}
}
