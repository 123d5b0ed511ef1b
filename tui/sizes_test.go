package tui

import (
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/tui/text"
)

// Sizes from tiny to huge, in every pane and overlay, draw exactly
// width×height cells: nothing wraps, nothing is short, nothing panics.
func TestEverySizeFillsTheScreenExactly(t *testing.T) {
	for _, setup := range []string{"", "tab", "l", "?", "o", "/"} {
		m, _ := scenario(100, 30, false, 40)
		if setup != "" {
			m.Update(keyMsg(setup))
		}
		// every layout boundary (60×20, 100 and 140 columns, the chart at
		// 28 and 40 rows, the detail box at 16 spare rows) from either side
		for _, w := range []int{20, 40, 59, 60, 61, 80, 99, 100, 101, 120, 139, 140, 141, 160, 200, 218} {
			for _, h := range []int{5, 10, 15, 19, 20, 21, 24, 27, 28, 29, 30, 35, 39, 40, 41, 48, 61} {
				m.Update(windowSizeMsg(w, h))
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
