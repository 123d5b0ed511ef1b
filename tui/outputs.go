// Outputs: the files a succeeded job made, where each is on the way to
// disk (from the downloads' news), opening the marked one with the system
// opener and the download line under the progress bar.

package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/detail"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// outputs is what the dashboard knows of the output files.
type outputs struct {
	files map[string][]data.Output // job key → its files as the downloads report them
	dl    *data.Downloads          // nil: no output directory, nothing is downloaded
	// the marked file of the selected job: index sel of job selKey (a
	// newly selected job starts at its first file)
	selKey string
	sel    int
}

// openedMsg is the system opener's answer.
type openedMsg struct {
	path string
	err  error
}

// onFileNews records a change of one output file, or of the downloads.
func (m *Model) onFileNews(e QueueEvent) {
	if d := e.Downloads; d != nil {
		cp := *d
		cp.Dir = text.Clean(cp.Dir)
		m.out.dl = &cp
	}
	f := e.File
	if f == nil || f.Index < 0 || f.Index > maxFiles {
		return
	}
	if m.out.files == nil {
		m.out.files = map[string][]data.Output{}
	}
	key := text.Clean(f.Key)
	list := m.out.files[key]
	for len(list) <= f.Index {
		list = append(list, data.Output{})
	}
	list[f.Index] = cleanOutput(f.Output)
	m.out.files[key] = list
}

// maxFiles bounds what one job's news may allocate (the API's jobs make a
// handful of files; an index past this is not news).
const maxFiles = 1024

// filesOf is job j's files: what the server described, each overlaid
// with what the downloads reported.
func (m *Model) filesOf(j Job) []data.Output {
	news := m.out.files[j.Key]
	if len(news) == 0 {
		return j.Outputs
	}
	out := make([]data.Output, max(len(j.Outputs), len(news)))
	copy(out, j.Outputs)
	for i, n := range news {
		if n.Path != "" || n.Status != data.FileRemote {
			out[i] = n
		}
	}
	return out
}

// marked is the selected job's marked file; why says why there is none.
func (m *Model) marked() (o data.Output, ok bool, why string) {
	j, ok := m.jobs.Selected()
	if !ok {
		return o, false, "no job selected"
	}
	files := m.filesOf(j)
	if len(files) == 0 {
		if j.State.Finished() {
			return o, false, "this job has no output files"
		}
		return o, false, "no output files yet: the job is " + string(j.State)
	}
	i := 0
	if m.out.selKey == j.Key {
		i = m.out.sel % len(files)
	}
	return files[i], true, ""
}

// nextOutput marks the selected job's next file.
func (m *Model) nextOutput() {
	j, ok := m.jobs.Selected()
	n := len(m.filesOf(j))
	if !ok || n < 2 {
		m.setStatus(styles.Unknown, "no other output file to mark: the selected job has "+format.Quantity(n, "file", "files"))
		return
	}
	if m.out.selKey != j.Key {
		m.out.selKey, m.out.sel = j.Key, 0
	}
	m.out.sel = (m.out.sel + 1) % n
}

// openOutput opens the marked file with the system opener, in a command:
// the opener is started, never waited for.
func (m *Model) openOutput() tea.Cmd {
	o, ok, why := m.marked()
	switch {
	case !ok:
		m.setStatus(styles.Unknown, "nothing to open: "+why)
		return nil
	case o.Status == data.FileFailed:
		m.setStatus(styles.Warning, "not on disk: the download failed: "+o.Err)
		return nil
	case o.Status == data.FilePending:
		m.setStatus(styles.Unknown, "not on disk yet: "+o.Path+" is downloading")
		return nil
	case o.Abs == "" || o.Status != data.FileVerified:
		why := "files are downloaded only with an output directory (out: in the profile)"
		if m.out.dl != nil {
			why = "only jobs queued in this dashboard are downloaded here (\"abtop results\" fetches earlier batches)"
		}
		m.setStatus(styles.Unknown, "not on disk: "+why)
		return nil
	}
	open := m.opts.Opener
	if open == nil {
		open = SystemOpener
	}
	path := o.Abs
	m.setStatus(styles.Unknown, "opening "+o.Path+"…")
	return func() tea.Msg { return openedMsg{path: path, err: open(path)} }
}

func (m *Model) onOpened(msg openedMsg) {
	if msg.err != nil {
		m.setStatus(styles.Critical, "could not open "+msg.path+": "+describe(msg.err))
		return
	}
	m.setStatus(styles.Calm, "opened "+msg.path)
}

// cleanOutput cleans what the server or the file system said of a file.
func cleanOutput(o data.Output) data.Output {
	c := text.Clean
	o.Path, o.Abs, o.ContentType, o.Err = c(o.Path), c(o.Abs), c(o.ContentType), c(o.Err)
	o.Status = data.FileStatus(c(string(o.Status)))
	return o
}

// detailLines is the detail pane of the selected job, its files included.
func (m *Model) detailLines(w, h int) []string {
	j, ok := m.jobs.Selected()
	f := detail.Files{List: m.filesOf(j), Downloads: m.out.dl != nil}
	if ok && m.out.selKey == j.Key && len(f.List) > 0 {
		f.Marked = m.out.sel % len(f.List)
	}
	return detail.RenderWith(j, ok, f, w, h, m.detailScroll, m.now, m.st)
}

// progress is the batch's progress lines with the download line beside
// the bar when there is an output directory.
func (m *Model) progress(w int) []string {
	return m.jobs.ProgressWith(w, m.now, m.queue, m.st, downloadLine(m.out.dl))
}

// downloadLine says what the downloads did: "downloads 12/40 files · 3 in
// flight · 18.2 MB"; "" without an output directory.
func downloadLine(d *data.Downloads) string {
	if d == nil {
		return ""
	}
	s := fmt.Sprintf("downloads %d/%d files", d.FilesDone, d.FilesTotal)
	if d.FilesInFlight > 0 {
		s += fmt.Sprintf(" · %d in flight · %s", d.FilesInFlight, format.Bytes(d.BytesInFlight))
	} else if d.BytesDone > 0 {
		s += " · " + format.Bytes(d.BytesDone) + " on disk"
	}
	if d.FilesFailed > 0 {
		s += fmt.Sprintf(" · %d failed", d.FilesFailed)
	}
	return s
}
