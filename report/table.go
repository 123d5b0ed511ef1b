package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/text"
)

// WriteTable renders the report for a terminal of width cells (JOBS are
// jobs created, DONE jobs finished; see the package comment): one line
// per group with a bar of its share of credits (jobs when nothing was
// spent), then the total, then each forecast with its basis. Names from the server are cleaned of control
// characters before they reach the terminal.
func (r Report) WriteTable(w io.Writer, width int) error {
	zone := r.Zone
	if zone == nil {
		zone = time.UTC
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s → %s (%s)\n", r.From.In(zone).Format("2006-01-02 15:04"), r.To.In(zone).Format("2006-01-02 15:04"), zone)
	if len(r.Lines) == 0 {
		b.WriteString("no history in this range\n")
		r.writeForecasts(&b)
		_, err := io.WriteString(w, b.String())
		return err
	}
	head := []string{strings.ToUpper(string(r.By)), "JOBS", "DONE", "CREDITS", "WRITES", "429s", "WAITED"}
	rows := make([][]string, 0, len(r.Lines)+1)
	for _, l := range r.Lines {
		rows = append(rows, cells(displayKey(l.Key, r.By), l))
	}
	total := cells("total", Line{Tally: r.Total})
	widths := make([]int, len(head))
	for _, row := range append(append([][]string{head}, rows...), total) {
		for i, c := range row {
			widths[i] = max(widths[i], text.Width(c))
		}
	}
	widths[0] = min(widths[0], 28)
	used := len(widths) * 2
	for _, n := range widths {
		used += n
	}
	barW := min(max(width-used, 10), 40)
	byCredits := r.Total.Credits() > 0
	peak := 0.0
	for _, l := range r.Lines {
		peak = math.Max(peak, measure(l, byCredits))
	}
	line := func(row []string, bar string) {
		b.WriteString(text.Fit(row[0], widths[0]))
		for i := 1; i < len(row); i++ {
			b.WriteString("  " + text.FitRight(row[i], widths[i]))
		}
		if bar != "" {
			b.WriteString("  " + bar)
		}
		b.WriteString("\n")
	}
	line(head, "")
	for i, l := range r.Lines {
		line(rows[i], bar(measure(l, byCredits), peak, barW))
	}
	line(total, "")
	r.writeForecasts(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func cells(key string, l Line) []string {
	return []string{key, format.Count(l.Created), format.Count(l.Finished), format.Number(l.Credits()), format.Count(l.Writes), format.Count(l.Throttled), format.Duration(l.Waited)}
}

func displayKey(k string, by By) string {
	if k == "" {
		if by == ByStatus {
			return "other"
		}
		return "—"
	}
	return text.Clean(k)
}

func measure(l Line, byCredits bool) float64 {
	if byCredits {
		return math.Max(l.Credits(), 0)
	}
	return float64(l.Created)
}

// bar draws v/peak of w cells in eighths of a block.
func bar(v, peak float64, w int) string {
	if peak <= 0 || v <= 0 {
		return ""
	}
	eighths := int(math.Round(v / peak * float64(w*8)))
	eighths = max(eighths, 1)
	s := strings.Repeat("█", eighths/8)
	if r := eighths % 8; r > 0 {
		s += string([]rune("▏▎▍▌▋▊▉")[r-1])
	}
	return s
}
