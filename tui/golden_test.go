package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/abtop-dev/abtop/tui/text"
)

// colourSGR matches any SGR sequence that sets a colour: foreground,
// background or underline colour (38/48/58), or a basic/bright colour
// code (30–37, 40–47, 90–97, 100–107).
var colourSGR = regexp.MustCompile(`\x1b\[(?:[0-9:;]*;)?(?:[345]8[;:]|3[0-7]|4[0-7]|9[0-7]|10[0-7])[0-9:;]*m`)

// TestGolden renders the fixed scenario (fixed clock, ten minutes of
// seed-000-style traffic with a 429 and a gap, 40 jobs in every state) at
// the three reference sizes, with and without colour.
// Update with: go test ./tui -run TestGolden -update
func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{60, 20}, {100, 30}, {160, 48}} {
		for _, noColor := range []bool{false, true} {
			name := fmt.Sprintf("%dx%d", sz[0], sz[1])
			if noColor {
				name += "_nocolor"
			} else {
				name += "_color"
			}
			t.Run(name, func(t *testing.T) {
				m, _ := scenario(sz[0], sz[1], noColor, 40)
				out := m.Render()
				lines := strings.Split(out, "\n")
				if len(lines) != sz[1] {
					t.Fatalf("got %d lines, want %d", len(lines), sz[1])
				}
				for i, l := range lines {
					if w := text.Width(l); w != sz[0] {
						t.Fatalf("line %d is %d cells wide, want %d: %q", i, w, sz[0], l)
					}
				}
				if noColor && colourSGR.MatchString(out) {
					t.Fatalf("no-colour output contains a colour: %q", colourSGR.FindString(out))
				}
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}
