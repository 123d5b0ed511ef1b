// Package logview is the scrollable log of recent requests and errors
// (toggled with l). It keeps a bounded ring so a long session cannot grow
// memory without limit, and says how many old entries it let go.
package logview

import (
	"fmt"
	"time"

	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// Entry is one line of the log.
type Entry struct {
	At    time.Time
	Level styles.Level
	Text  string
}

// Model is the log.
type Model struct {
	entries []Entry
	limit   int
	dropped int
	scroll  int // lines up from the newest; 0 = follow the tail
}

// New keeps up to limit entries.
func New(limit int) Model {
	if limit <= 0 {
		limit = 1000
	}
	return Model{limit: limit}
}

// Add appends an entry; its text is cleaned (no newline or escape
// sequence from a server message reaches the screen).
func (m *Model) Add(e Entry) {
	e.Text = text.Clean(e.Text)
	if len(m.entries) >= m.limit {
		n := len(m.entries) - m.limit + 1
		m.entries = append(m.entries[:0], m.entries[n:]...)
		m.dropped += n
	}
	m.entries = append(m.entries, e)
	if m.scroll > 0 {
		m.scroll++ // stay on the lines the user is reading
	}
}

// Len is the number of entries kept.
func (m *Model) Len() int { return len(m.entries) }

// Last returns the newest entry.
func (m *Model) Last() (Entry, bool) {
	if len(m.entries) == 0 {
		return Entry{}, false
	}
	return m.entries[len(m.entries)-1], true
}

// Scroll moves the view up (d > 0, older) or down.
func (m *Model) Scroll(d int) {
	m.scroll = min(max(0, m.scroll+d), max(0, len(m.entries)-1))
}

// Oldest scrolls to the first entry kept; Newest back to the tail, which
// the view then follows.
func (m *Model) Oldest() { m.scroll = max(0, len(m.entries)-1) }
func (m *Model) Newest() { m.scroll = 0 }

// View renders the newest entries that fit in h lines of w cells.
func (m *Model) View(w, h int, st styles.Styles) []string {
	if h <= 0 {
		return nil
	}
	if len(m.entries) == 0 {
		return []string{st.Dim.Render("no requests yet")}
	}
	end := len(m.entries) - m.scroll
	end = max(end, min(len(m.entries), h)) // scrolled to the top: a full page from the first entry
	start := max(0, end-h)
	out := make([]string, 0, h)
	if start == 0 && m.dropped > 0 && end-start >= h {
		start++
	}
	if start == 0 && m.dropped > 0 {
		out = append(out, st.Dim.Render(fmt.Sprintf("… %d older entries not kept", m.dropped)))
	}
	for _, e := range m.entries[start:end] {
		glyph := e.Level.Glyph()
		if e.Level == styles.Unknown {
			glyph = "·" // a note: "?" would read as the help key
		}
		line := e.At.Format("15:04:05") + " " + glyph + " " + e.Text
		line = text.Cut(line, w)
		if e.Level == styles.Critical || e.Level == styles.Warning {
			line = st.For(e.Level).Render(line)
		}
		out = append(out, line)
	}
	if len(out) > h {
		out = out[len(out)-h:]
	}
	return out
}
