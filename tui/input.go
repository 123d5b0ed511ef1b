// Input: keys, scrolling, focus and the forms; every key that acts on
// the queue returns a tea.Cmd.

package tui

import (
	"errors"
	"fmt"
	"github.com/abtop-dev/abtop/history"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/form"
	"github.com/abtop-dev/abtop/tui/styles"
)

// edge jumps the focused pane to its first (top) or last line: the log's
// oldest entry or its live tail, the detail's start, the first or last job.
func (m *Model) edge(top bool) {
	switch {
	case m.focus == paneLog && top:
		m.log.Oldest()
	case m.focus == paneLog:
		m.log.Newest()
	case m.focus == paneDetail && top:
		m.detailScroll = 0
	case top:
		m.jobs.Home()
	default:
		m.jobs.End()
	}
}

// copyJobID puts the selected job's marked output file's path (once it is
// on disk) or else its id (its server id, else its local key) on the
// clipboard through the terminal (OSC 52), which works over ssh.
func (m *Model) copyJobID() tea.Cmd {
	j, ok := m.jobs.Selected()
	if !ok {
		m.setStatus(styles.Unknown, "no job selected to copy")
		return nil
	}
	if o, ok, _ := m.marked(); ok && o.Abs != "" && o.Status == data.FileVerified {
		m.setStatus(styles.Calm, "copied path "+o.Abs+" (OSC 52: the terminal must allow clipboard writes)")
		return tea.SetClipboard(o.Abs)
	}
	id, what := j.ID, "job id"
	if id == "" {
		id, what = j.Key, "idempotency key (not created yet)"
	}
	m.setStatus(styles.Calm, "copied "+what+" "+id+" (OSC 52: the terminal must allow clipboard writes)")
	return tea.SetClipboard(id)
}

func (m *Model) scroll(d int) { m.scrollPane(m.focus, d) }

// scrollPane scrolls pane p by d lines (the jobs pane moves the cursor).
func (m *Model) scrollPane(p pane, d int) {
	switch p {
	case paneLog:
		m.log.Scroll(-d)
	case paneDetail:
		m.detailScroll = max(0, m.detailScroll+d)
	default:
		m.jobs.Move(d)
		m.detailScroll = 0
	}
}

// routeInput sends text input to whatever has the keyboard.
func (m *Model) routeInput(msg tea.Msg) tea.Cmd {
	switch m.overlay {
	case addOverlay:
		return m.onAddForm(msg)
	case openOverlay:
		return m.onOpenForm(msg)
	case pickOverlay:
		return m.onPickKey(msg)
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	// ctrl+c (while bound to quit) quits from anywhere, forms and filter
	// included: it is the one way out every terminal user knows
	if key.Matches(msg, k.Quit) && msg.String() == "ctrl+c" {
		return m.quit()
	}
	// forms and the filter own the keyboard while open
	switch m.overlay {
	case addOverlay, openOverlay, pickOverlay:
		return m.routeInput(msg)
	case helpOverlay:
		m.overlay = noOverlay
		return nil
	}
	if m.jobs.Filtering() {
		return m.jobs.FilterKey(msg)
	}
	if m.confirmQuit && !key.Matches(msg, k.Quit) {
		m.confirmQuit = false
		m.status = ""
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.overlay = helpOverlay
	case key.Matches(msg, k.Back):
		if m.jobs.Filter() != "" {
			m.jobs.StartFilter()
			return m.jobs.FilterKey(tea.KeyPressMsg{Code: tea.KeyEscape})
		}
		m.showLog = false
		m.focus = paneJobs
	case key.Matches(msg, k.Refresh):
		return m.refresh()
	case key.Matches(msg, k.Log):
		m.showLog = !m.showLog
		if m.showLog {
			m.focus = paneLog
		} else if m.focus == paneLog {
			m.focus = paneJobs
		}
		m.layout()
	case key.Matches(msg, k.Pane):
		m.nextPane()
	case key.Matches(msg, k.Filter):
		m.focus = paneJobs
		return m.jobs.StartFilter()
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.PageUp):
		m.scroll(-max(1, m.bodyRows()-1))
	case key.Matches(msg, k.PageDown):
		m.scroll(max(1, m.bodyRows()-1))
	case key.Matches(msg, k.Copy):
		return m.copyJobID()
	case key.Matches(msg, k.OpenOut):
		return m.openOutput()
	case key.Matches(msg, k.NextOut):
		m.nextOutput()
	case key.Matches(msg, k.Sort):
		m.focus = paneJobs
		m.setStatus(styles.Calm, "jobs sorted by "+m.jobs.CycleSort())
	case key.Matches(msg, k.Top):
		m.edge(true)
	case key.Matches(msg, k.Bottom):
		m.edge(false)
	case key.Matches(msg, k.Add):
		if m.noQueue() {
			return nil
		}
		m.add = form.NewAddJob()
		m.add.SetPlan(m.usage.Plan)
		m.overlay = addOverlay
		if m.opts.Monitor == nil {
			m.add.SetModels(nil, errors.New("no API client to list models"))
			return nil
		}
		return modelsCmd(m.ctx, m.opts.Monitor)
	case key.Matches(msg, k.Mouse):
		m.toggleMouse()
	case key.Matches(msg, k.Batches):
		return m.openPicker()
	case key.Matches(msg, k.Zoom):
		if m.opts.History == nil {
			m.setStatus(styles.Unknown, "no history store: the chart shows this session only")
			return nil
		}
		m.zoom = (m.zoom + 1) % (len(history.Zooms) + 1)
		m.zoomed, m.zoomErr = history.Chart{}, nil
		return m.refreshZoom()
	case key.Matches(msg, k.Open):
		if m.noQueue() {
			return nil
		}
		m.open = form.NewOpenFile()
		m.overlay = openOverlay
	case key.Matches(msg, k.Pause):
		if m.noQueue() {
			return nil
		}
		q, ctx := m.opts.Queue, m.ctx
		m.pauseAsked = m.now
		if m.queue.Paused {
			return actionCmd(actResume, func() (int, error) { return 0, q.Resume(ctx) })
		}
		return actionCmd(actPause, func() (int, error) { return 0, q.Pause(ctx) })
	case key.Matches(msg, k.Cancel):
		if m.noQueue() {
			return nil
		}
		j, ok := m.jobs.Selected()
		if !ok {
			m.setStatus(styles.Unknown, "no job selected to cancel")
			return nil
		}
		if j.State.Finished() {
			m.setStatus(styles.Unknown, "job already "+string(j.State)+": nothing to cancel")
			return nil
		}
		// a cancel of a created job is a request: it may wait seconds for
		// a free slot in the rate window, so say at once that it is on its way
		name := j.ID
		if name == "" {
			name = "the job (not sent yet)"
		}
		m.setStatus(styles.Unknown, "canceling "+name+"…")
		q, ctx, keyID := m.opts.Queue, m.ctx, j.Key
		return actionCmdFor(actCancel, name, func() (int, error) { return 0, q.Cancel(ctx, keyID) })
	case key.Matches(msg, k.Retry):
		if m.noQueue() {
			return nil
		}
		if cmd := m.rerunSelected(); cmd != nil {
			return cmd
		}
		if m.jobs.Count(data.StateFailed) == 0 {
			m.setStatus(styles.Unknown, "no failed jobs to retry")
			return nil
		}
		q, ctx := m.opts.Queue, m.ctx
		return actionCmd(actRetry, func() (int, error) { return q.RetryFailed(ctx) })
	}
	return nil
}

func (m *Model) noQueue() bool {
	if m.opts.Queue != nil {
		return false
	}
	why := m.opts.NoQueueReason
	if why == "" {
		why = errNoQueue.Error()
	}
	m.setStatus(styles.Warning, why)
	return true
}

func (m *Model) quit() tea.Cmd {
	n := m.ownPending()
	if n > 0 && !m.confirmQuit {
		m.confirmQuit = true
		kept := "the journal keeps them (abtop submit --resume continues)"
		if m.opts.Sandbox {
			// the sandbox's journal is a temporary file removed at exit
			kept = "sandbox jobs are not kept after exit"
		}
		m.setStatus(styles.Warning, fmt.Sprintf("%s unfinished — %s. Press %s again to quit.", format.Quantity(n, "job", "jobs"), kept, m.keys.Quit.Help().Key))
		return nil
	}
	return tea.Quit
}

func (m *Model) nextPane() {
	switch m.focus {
	case paneJobs:
		m.focus = paneDetail
	case paneDetail:
		if m.showLog {
			m.focus = paneLog
		} else {
			m.focus = paneJobs
		}
	default:
		m.focus = paneJobs
	}
}

func (m *Model) onAddForm(msg tea.Msg) tea.Cmd {
	switch m.add.Update(msg) {
	case form.Close:
		m.overlay = noOverlay
	case form.Submit:
		spec, _ := m.add.Value()
		m.overlay = noOverlay
		q, ctx := m.opts.Queue, m.ctx
		return actionCmd(actEnqueue, func() (int, error) { return 1, q.Enqueue(ctx, spec) })
	}
	return nil
}

func (m *Model) onOpenForm(msg tea.Msg) tea.Cmd {
	switch m.open.Update(msg) {
	case form.Close:
		m.overlay = noOverlay
	case form.Preview:
		if p, ok := m.opts.Queue.(Previewer); ok {
			return previewCmd(m.ctx, p, m.open.Value())
		}
		return loadCmd(m.ctx, m.opts.Queue, m.open.Value())
	case form.Submit:
		return loadCmd(m.ctx, m.opts.Queue, m.open.Value())
	}
	return nil
}
