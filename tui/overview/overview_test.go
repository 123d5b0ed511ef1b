package overview

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

func credits(f float64) *float64 { return &f }

// rows are three profiles in three states: calm, short of quota with an
// alert, and failing with no data yet; the plan name carries an escape a
// hostile server could send.
func rows() []Row {
	return []Row{
		{Profile: "work", Plan: "team", Rate: Ratio{Remaining: 18, Limit: 20, Known: true},
			Quota: Ratio{Remaining: 40_000, Limit: 100_000, Known: true}, Credits: credits(1204.5), Running: 3, Conn: "live"},
		{Profile: "personal", Plan: "free\x1b]0;pwned\a", Rate: Ratio{Remaining: 1, Limit: 10, Known: true},
			Quota: Ratio{Remaining: 300, Limit: 5000, Known: true}, Credits: credits(0), Alerts: 2, Conn: "live"},
		{Profile: "client-acme-production", Conn: "failing", Problem: true},
	}
}

// colourSGR matches an SGR sequence that sets a colour.
var colourSGR = regexp.MustCompile(`\x1b\[(?:[0-9:;]*;)?(?:[345]8[;:]|3[0-7]|4[0-7]|9[0-7]|10[0-7])[0-9:;]*m`)

// Update with: go test ./tui/overview -run TestStripGolden -update
func TestStripGolden(t *testing.T) {
	for _, w := range []int{80, 120} {
		for _, noColor := range []bool{false, true} {
			name := fmt.Sprintf("%d_color", w)
			if noColor {
				name = fmt.Sprintf("%d_nocolor", w)
			}
			t.Run(name, func(t *testing.T) {
				s := Strip{Rows: rows(), Active: 1, Styles: styles.New(noColor, true)}
				lines := s.View(w, 10)
				if len(lines) != 3 {
					t.Fatalf("%d lines, want one per profile", len(lines))
				}
				for i, l := range lines {
					if got := text.Width(l); got != w {
						t.Fatalf("line %d is %d cells, want %d: %q", i, got, w, l)
					}
				}
				out := strings.Join(lines, "\n")
				if strings.Contains(out, "\x1b]") || strings.Contains(out, "\a") {
					t.Fatalf("server text reached the terminal raw: %q", out)
				}
				if noColor && colourSGR.MatchString(out) {
					t.Fatalf("NO_COLOR output has a colour: %q", out)
				}
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}

func TestStripKeepsTheImportantColumnsWhenNarrow(t *testing.T) {
	s := Strip{Rows: rows(), Active: 0, Styles: styles.New(true, true)}
	wide := ansi.Strip(strings.Join(s.View(160, 10), "\n"))
	for _, want := range []string{"team plan", "rate 18/20", "quota 60% used", "1,204.5 credits", "running 3", "⚠ 2 alerts", "failing"} {
		if !strings.Contains(wide, want) {
			t.Errorf("160 columns: %q missing from\n%s", want, wide)
		}
	}
	narrow := s.View(40, 10)
	for i, l := range narrow {
		if text.Width(l) != 40 {
			t.Fatalf("line %d is %d cells at 40 columns", i, text.Width(l))
		}
	}
	got := ansi.Strip(strings.Join(narrow, "\n"))
	// the plan goes before the rate: the rate is what a glance is for
	if strings.Contains(got, "plan") || !strings.Contains(got, "rate 18/20") || !strings.Contains(got, "work") {
		t.Errorf("40 columns kept the wrong columns:\n%s", got)
	}
}

func TestStripShowsTheActiveProfileWhenTheyDoNotAllFit(t *testing.T) {
	s := Strip{Rows: rows(), Active: 2, Styles: styles.New(true, true)}
	lines := s.View(80, 2)
	if len(lines) != 2 || !strings.Contains(ansi.Strip(lines[1]), "▸ client-acme-pro…") {
		t.Fatalf("active row not shown in a two-line strip:\n%s", strings.Join(lines, "\n"))
	}
}
