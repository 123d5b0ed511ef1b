package tui

import (
	"strings"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// chartRows labels a chart's area with its y axis (the live chart and the
// zoomed history draw the same frame): the top row names top ("max" when
// it is not known), the bottom row 0.
func chartRows(area []string, top float64, st styles.Styles) []string {
	out := make([]string, 0, len(area)+1)
	topLabel := "max"
	if top > 0 {
		topLabel = format.Count(int64(top))
	}
	for i, l := range area {
		lab := "     │"
		switch i {
		case 0:
			lab = text.FitRight(topLabel, 5) + "┤"
		case len(area) - 1:
			lab = "    0┤"
		}
		out = append(out, st.Dim.Render(lab)+st.Accent.Render(l))
	}
	return out
}

// sparkRow is the chart's bottom row: label, then the sparkline, right-
// aligned like the area above (it starts off cells in), with a ✕ on each
// cell that saw a 429.
func sparkRow(label string, spark []rune, marks []bool, off int, st styles.Styles) string {
	var sb strings.Builder
	sb.WriteString(st.Dim.Render(label))
	for i, r := range spark {
		if i >= off && marks[i-off] {
			sb.WriteString(st.Critical.Render("✕"))
		} else {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
