// Package frame draws rounded boxes with a title and lays boxes side by
// side. It is hand-rolled (no lipgloss borders) because it sits on the hot
// path of every frame and must cut by cell width, not bytes.
package frame

import (
	"strings"

	"github.com/abtop-dev/abtop/tui/text"
)

// Renderer styles a line of text (styles.Paint, lipgloss.Style).
type Renderer interface{ Render(strs ...string) string }

// Box draws lines inside a rounded border of exactly width×height cells
// (height ≤ 0: as many lines as given, plus the border). The title sits in
// the top edge. Lines are cut to fit; missing lines are blank.
func Box(title string, lines []string, width, height int, border, titleStyle Renderer) []string {
	return BoxFoot(title, "", lines, width, height, border, titleStyle, titleStyle)
}

// BoxFoot is Box with a note in the bottom edge, right-aligned (dropped
// when it does not fit whole).
func BoxFoot(title, foot string, lines []string, width, height int, border, titleStyle, footStyle Renderer) []string {
	if width < 4 {
		return nil
	}
	inner := width - 2
	if height <= 0 {
		height = len(lines) + 2
	}
	if height < 2 {
		height = 2
	}
	out := make([]string, 0, height)
	if title != "" {
		t := text.Cut(" "+title+" ", inner-1)
		out = append(out, border.Render("╭─")+titleStyle.Render(t)+border.Render(strings.Repeat("─", max(0, inner-1-text.Width(t)))+"╮"))
	} else {
		out = append(out, border.Render("╭"+strings.Repeat("─", inner)+"╮"))
	}
	side := border.Render("│")
	for i := 0; i < height-2; i++ {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out = append(out, side+text.Fit(l, inner)+side)
	}
	if f := " " + foot + " "; foot != "" && text.Width(f) <= inner-2 {
		out = append(out, border.Render("╰"+strings.Repeat("─", inner-1-text.Width(f)))+footStyle.Render(f)+border.Render("─╯"))
	} else {
		out = append(out, border.Render("╰"+strings.Repeat("─", inner)+"╯"))
	}
	return out
}

// Row joins blocks of lines side by side; each block is padded to its own
// widest line and to the tallest block's height.
func Row(blocks ...[]string) []string {
	h := 0
	widths := make([]int, len(blocks))
	for i, b := range blocks {
		h = max(h, len(b))
		for _, l := range b {
			widths[i] = max(widths[i], text.Width(l))
		}
	}
	out := make([]string, h)
	var sb strings.Builder
	for r := range h {
		sb.Reset()
		for i, b := range blocks {
			l := ""
			if r < len(b) {
				l = b[r]
			}
			sb.WriteString(l)
			if pad := widths[i] - text.Width(l); pad > 0 {
				sb.WriteString(strings.Repeat(" ", pad))
			}
		}
		out[r] = sb.String()
	}
	return out
}

// Split divides total cells into n widths that sum to total.
func Split(total, n int) []int {
	if n <= 0 {
		return nil
	}
	w := make([]int, n)
	for i := range w {
		w[i] = total / n
		if i < total%n {
			w[i]++
		}
	}
	return w
}
