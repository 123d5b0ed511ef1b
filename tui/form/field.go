// Package form holds the dashboard's small input forms: a one-line text
// field, the add-job form (model picker, prompt, parameters) and the
// open-file prompt. (bubbles/textinput would pull a clipboard module that
// is not in go.sum; a one-line editor is a few dozen lines.)
package form

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// Field is a one-line text input.
type Field struct {
	Prompt      string
	Placeholder string
	Limit       int // max runes; 0 = 4096
	value       []rune
	pos         int
	focused     bool
}

// Value returns the text.
func (f *Field) Value() string { return string(f.value) }

// SetValue replaces the text and puts the cursor at the end.
func (f *Field) SetValue(s string) {
	f.value = []rune(s)
	f.pos = len(f.value)
}

// Focus and Blur give and take the keyboard.
func (f *Field) Focus()        { f.focused = true }
func (f *Field) Blur()         { f.focused = false }
func (f *Field) Focused() bool { return f.focused }

func (f *Field) insert(s string) {
	limit := f.Limit
	if limit <= 0 {
		limit = 4096
	}
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' {
			r = ' '
		}
		if r < ' ' || len(f.value) >= limit {
			continue
		}
		f.value = append(f.value[:f.pos], append([]rune{r}, f.value[f.pos:]...)...)
		f.pos++
	}
}

// Update edits the text; it reports whether the message was used.
func (f *Field) Update(msg tea.Msg) bool {
	if !f.focused {
		return false
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		f.insert(msg.Content)
		return true
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if f.pos > 0 {
				f.value = append(f.value[:f.pos-1], f.value[f.pos:]...)
				f.pos--
			}
		case "delete", "ctrl+d":
			if f.pos < len(f.value) {
				f.value = append(f.value[:f.pos], f.value[f.pos+1:]...)
			}
		case "left", "ctrl+b":
			f.pos = max(0, f.pos-1)
		case "right", "ctrl+f":
			f.pos = min(len(f.value), f.pos+1)
		case "home", "ctrl+a":
			f.pos = 0
		case "end", "ctrl+e":
			f.pos = len(f.value)
		case "ctrl+u":
			f.value = f.value[f.pos:]
			f.pos = 0
		case "ctrl+k":
			f.value = f.value[:f.pos]
		case "ctrl+w":
			i := f.pos
			for i > 0 && f.value[i-1] == ' ' {
				i--
			}
			for i > 0 && f.value[i-1] != ' ' {
				i--
			}
			f.value = append(f.value[:i], f.value[f.pos:]...)
			f.pos = i
		case "space":
			f.insert(" ")
		default:
			if msg.Text == "" {
				return false
			}
			f.insert(msg.Text)
		}
		return true
	}
	return false
}

// View renders the field in w cells; the cursor is a reverse-video cell
// (visible without colour).
func (f *Field) View(w int, dim styles.Paint) string {
	room := max(1, w-text.Width(f.Prompt)-1)
	if len(f.value) == 0 && !f.focused {
		return f.Prompt + dim.Render(text.Cut(f.Placeholder, room))
	}
	// keep the cursor in view, measuring in cells (wide runes take two)
	rw := func(i int) int { return text.Width(string(f.value[i])) }
	used := 1 // the cursor cell
	if f.pos < len(f.value) {
		used = rw(f.pos)
	}
	start := f.pos
	for start > 0 && used+rw(start-1) <= room {
		start--
		used += rw(start)
	}
	end := min(len(f.value), f.pos+1)
	for end < len(f.value) && used+rw(end) <= room {
		used += rw(end)
		end++
	}
	var b strings.Builder
	b.WriteString(f.Prompt)
	b.WriteString(string(f.value[start:f.pos]))
	if f.focused {
		cur := " "
		if f.pos < len(f.value) {
			cur = string(f.value[f.pos])
		}
		b.WriteString("\x1b[7m" + cur + "\x1b[27m")
		if f.pos+1 < end {
			b.WriteString(string(f.value[f.pos+1 : end]))
		}
	} else {
		b.WriteString(string(f.value[f.pos:end]))
	}
	if len(f.value) == 0 && f.focused && f.Placeholder != "" {
		b.WriteString(dim.Render(text.Cut(f.Placeholder, room-1)))
	}
	return b.String()
}
