// Package overview is the dashboard's strip of profiles: one row per
// profile (rate, quota, credits, running jobs, alerts, connection), shown
// above the detailed view when the dashboard watches several profiles, with
// the profile the detailed view shows marked. It only draws plain values it
// is given; every width is in cells (x/ansi through package text), and a
// narrow terminal drops the least useful columns before it cuts a row.
package overview

import (
	"fmt"
	"strconv"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// Ratio is a remaining/limit pair; Known is false when no response said it.
type Ratio struct {
	Remaining, Limit int64
	Known            bool
}

// used is the fraction used, or -1 when unknown.
func (r Ratio) used() float64 {
	if !r.Known || r.Limit <= 0 {
		return -1
	}
	return 1 - float64(max(0, min(r.Remaining, r.Limit)))/float64(r.Limit)
}

// Row is one profile as the strip shows it.
type Row struct {
	Profile string // the config's name for it
	Plan    string // as the server named it (cleaned here: it is server text)
	Rate    Ratio  // the binding rate limit
	Quota   Ratio  // the monthly quota
	Credits *float64
	Running int
	Alerts  int    // alerts that fired for the profile this session
	Conn    string // "live", "stale", "failing", "connecting", "paused by server"
	Problem bool   // Conn is bad news (a failing poll, an embargo)
}

// Strip is the overview of every profile; Active is the index of the one
// the detailed view shows.
type Strip struct {
	Rows   []Row
	Active int
	Styles styles.Styles
}

// Height is how many lines View draws within maxLines: one per profile,
// and when they do not all fit, a window around the active one.
func (s Strip) Height(maxLines int) int {
	return max(0, min(len(s.Rows), maxLines))
}

// First is the index of the top row View draws within maxLines: a window
// of rows that holds the active one.
func (s Strip) First(maxLines int) int {
	n := s.Height(maxLines)
	return max(0, min(s.Active-n+1, len(s.Rows)-n))
}

// column is one column of the strip: its cells for every row and its
// priority (the lowest is dropped first when the width is short).
type column struct {
	cells []cell
	prio  int
}

type cell struct {
	s   string
	lvl styles.Level
}

// View draws the rows that fit in maxLines, each exactly width cells.
func (s Strip) View(width, maxLines int) []string {
	n := s.Height(maxLines)
	if n == 0 || width <= 0 {
		return nil
	}
	first := s.First(maxLines)
	rows := s.Rows[first : first+n]
	cols := s.columns(rows)
	keep := fit(cols, width)
	st := s.Styles
	out := make([]string, 0, n)
	for i := range rows {
		line := " "
		if first+i == s.Active {
			line += st.Title.Render("▸ ")
		} else {
			line += "  "
		}
		for ci, c := range cols {
			if !keep[ci] {
				continue
			}
			w := colWidth(c)
			cl := c.cells[i]
			pad := text.Fit(cl.s, w)
			if cl.lvl != styles.Unknown {
				pad = st.For(cl.lvl).Render(pad)
			}
			if ci == 0 && first+i == s.Active {
				pad = st.Title.Render(pad)
			}
			line += pad + "  "
		}
		out = append(out, text.Fit(line, width))
	}
	return out
}

// fit chooses the columns to keep: all of them when they fit, else the
// highest priorities that do (the profile name is always kept, cut).
func fit(cols []column, width int) []bool {
	keep := make([]bool, len(cols))
	for i := range keep {
		keep[i] = true
	}
	total := func() int {
		n := 3 // the leading space and the marker
		for i, c := range cols {
			if keep[i] {
				n += colWidth(c) + 2
			}
		}
		return n - 2
	}
	for total() > width {
		drop := -1
		for i, c := range cols {
			if keep[i] && c.prio > 0 && (drop < 0 || c.prio < cols[drop].prio) {
				drop = i
			}
		}
		if drop < 0 {
			break // only the name is left: the line is cut
		}
		keep[drop] = false
	}
	return keep
}

func colWidth(c column) int {
	w := 0
	for _, cl := range c.cells {
		w = max(w, text.Width(cl.s))
	}
	return w
}

// columns builds the strip's columns in display order, each with its
// priority: the name, then rate, quota, credits, running, alerts,
// connection and plan, the plan being the first to go.
func (s Strip) columns(rows []Row) []column {
	mk := func(prio int, f func(Row) cell) column {
		c := column{prio: prio}
		for _, r := range rows {
			c.cells = append(c.cells, f(r))
		}
		return c
	}
	return []column{
		mk(0, func(r Row) cell { return cell{s: text.Cut(text.Clean(r.Profile), 16)} }),
		mk(8, func(r Row) cell { return ratioCell("rate", r.Rate, false) }),
		mk(7, func(r Row) cell { return ratioCell("quota", r.Quota, true) }),
		mk(6, creditsCell),
		mk(4, func(r Row) cell { return cell{s: "running " + strconv.Itoa(r.Running)} }),
		mk(5, alertsCell),
		mk(3, connCell),
		mk(2, func(r Row) cell { return cell{s: planText(r.Plan)} }),
	}
}

func ratioCell(name string, r Ratio, percent bool) cell {
	u := r.used()
	if u < 0 {
		return cell{s: name + " –"}
	}
	lvl := styles.LevelOf(u)
	if percent {
		return cell{s: fmt.Sprintf("%s %d%% used", name, int(u*100+0.5)), lvl: lvl}
	}
	return cell{s: name + " " + format.Count(r.Remaining) + "/" + format.Count(r.Limit), lvl: lvl}
}

func creditsCell(r Row) cell {
	if r.Credits == nil {
		return cell{s: "credits –"}
	}
	c := cell{s: format.Credits(*r.Credits)}
	if *r.Credits <= 0 {
		c.lvl = styles.Critical
	}
	return c
}

func alertsCell(r Row) cell {
	if r.Alerts == 0 {
		return cell{s: "no alerts"}
	}
	return cell{s: "⚠ " + format.Quantity(r.Alerts, "alert", "alerts"), lvl: styles.Warning}
}

func connCell(r Row) cell {
	c := cell{s: text.Clean(r.Conn)}
	if r.Problem {
		c.lvl = styles.Critical
	}
	return c
}

func planText(p string) string {
	if p = text.Clean(p); p == "" {
		return ""
	}
	return text.Cut(p, 16) + " plan"
}
