package detail

import (
	"strconv"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/styles"
)

// Files are a job's output files and which one enter opens.
type Files struct {
	List   []data.Output
	Marked int // index in List of the file enter opens
	// Downloads says an output directory is set: files go to disk.
	Downloads bool
}

// lines lists the files, one a line: name, size, and where it is
// ("✓ verified", "◷ downloading", "✗ failed: why").
func (f Files) lines(st styles.Styles) []string {
	if len(f.List) == 0 {
		return nil
	}
	head := "output files (" + strconv.Itoa(len(f.List)) + ") · enter opens ▸"
	if len(f.List) > 1 {
		head += " · f marks the next"
	}
	if !f.Downloads {
		head = "output files (" + strconv.Itoa(len(f.List)) + ") · on the server: set out: to download"
	}
	out := []string{st.Header.Render(head)}
	for i, o := range f.List {
		mark := "  "
		if i == f.Marked && f.Downloads {
			mark = "▸ "
		}
		name := o.Path
		if name == "" {
			name = o.ContentType
		}
		if name == "" {
			name = "file " + strconv.Itoa(i+1)
		}
		line := mark + name + " · " + format.Bytes(o.Bytes)
		switch o.Status {
		case data.FileVerified:
			line += " · " + st.Calm.Render("✓ verified")
		case data.FilePending:
			line += " · " + st.Warning.Render("◷ downloading")
		case data.FileFailed:
			line += " · " + st.Critical.Render("✗ failed: "+o.Err)
		}
		out = append(out, line)
	}
	return out
}
