package form

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// OpenFile asks for a JSONL path and shows its validation errors by line,
// then (when the queue can estimate) the file's cost and limits: a second
// enter loads it, esc cancels.
type OpenFile struct {
	Path    Field
	Loading bool
	errs    []data.LineError
	err     string
	// preview is the estimate of previewed (the path it was made for).
	preview   []string
	previewed string
}

// NewOpenFile starts the prompt.
func NewOpenFile() OpenFile {
	f := OpenFile{Path: Field{Prompt: "file  ", Placeholder: "prompts.jsonl"}}
	f.Path.Focus()
	return f
}

// Update handles a message.
func (f *OpenFile) Update(msg tea.Msg) Action {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return Close
		case "enter":
			if f.Loading {
				return None
			}
			if strings.TrimSpace(f.Path.Value()) == "" {
				f.err = "path: type the path of a JSON Lines file"
				return None
			}
			f.err, f.errs = "", nil
			f.Loading = true
			if f.preview != nil && f.previewed == f.Value() {
				return Submit
			}
			return Preview
		}
	}
	if f.Path.Update(msg) {
		f.err, f.errs, f.preview = "", nil, nil
	}
	return None
}

// Value is the typed path.
func (f *OpenFile) Value() string { return strings.TrimSpace(f.Path.Value()) }

// SetPreview shows the estimate of path; enter now loads it.
func (f *OpenFile) SetPreview(path string, lines []string) {
	f.Loading = false
	f.previewed = path
	f.preview = make([]string, len(lines))
	for i, l := range lines {
		f.preview[i] = text.Clean(l) // model names come from the server
	}
}

// SetResult shows the outcome of loading the file.
func (f *OpenFile) SetResult(err error, lines []data.LineError) {
	f.Loading = false
	// messages quote the file's content: cleaned before they are drawn
	f.errs = make([]data.LineError, len(lines))
	for i, l := range lines {
		f.errs[i] = data.LineError{Line: l.Line, Msg: text.Clean(l.Msg)}
	}
	f.err = ""
	if err != nil {
		f.err = text.Clean(err.Error())
	}
}

// View renders the prompt in at most h lines of w cells.
func (f *OpenFile) View(w, h int, st styles.Styles) []string {
	l := []string{
		st.Title.Render("Load a JSONL file") + st.Dim.Render("  enter load · esc close · one {\"model\":…,\"input\":{…}} per line, all validated before anything is sent"),
		f.Path.View(w, st.Dim),
	}
	if f.Loading {
		l = append(l, st.Dim.Render("validating…"))
	}
	if f.preview != nil && f.err == "" && len(f.errs) == 0 {
		l = append(l, st.Title.Render("Estimate")+st.Dim.Render("  enter queue these jobs · esc cancel · nothing is sent until you confirm"))
		room := max(1, h-len(l))
		for i, p := range f.preview {
			if i == room-1 && len(f.preview) > room {
				l = append(l, st.Dim.Render(fmt.Sprintf("… %d more lines", len(f.preview)-i)))
				break
			}
			l = append(l, p)
		}
	}
	if f.err != "" {
		l = append(l, st.Critical.Render("✗ "+f.err))
	}
	if len(f.errs) > 0 {
		l = append(l, fmt.Sprintf("%d invalid lines; nothing was queued:", len(f.errs)))
		room := max(1, h-len(l))
		for i, e := range f.errs {
			if i == room-1 && len(f.errs) > room {
				l = append(l, st.Dim.Render(fmt.Sprintf("… and %d more", len(f.errs)-i)))
				break
			}
			l = append(l, st.Critical.Render(fmt.Sprintf("  line %d: %s", e.Line, e.Msg)))
		}
	}
	for i := range l {
		l[i] = text.Cut(l[i], w)
	}
	return l
}
