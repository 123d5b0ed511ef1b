// Status: what the queue's events and the results of the dashboard's own
// actions say, on the status line and in the log.

package tui

import (
	"errors"
	"fmt"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/logview"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

func (m *Model) setStatus(lvl styles.Level, s string) {
	s = text.Clean(s)
	m.status, m.statusLvl, m.statusAt = s, lvl, m.now
	m.log.Add(logview.Entry{At: m.now, Level: lvl, Text: s})
}

func (m *Model) onQueueEvent(e QueueEvent) {
	at := e.At
	if at.IsZero() {
		at = m.now
	}
	if e.Job != nil {
		m.jobs.Upsert(cleanJob(*e.Job), at)
	}
	if e.State != nil {
		st := cleanState(*e.State)
		if !e.At.IsZero() && e.At.Before(m.pauseAsked) {
			// said before the last pause or resume was asked (an event
			// waiting in the channel, a record published earlier): its
			// running/paused is stale, and shown it made the next space
			// ask the same again instead of the opposite
			st.Paused, st.Reason = m.queue.Paused, m.queue.Reason
		}
		m.queue = st
	}
	m.onQueueNews(e)
}

// onQueueNews applies what an event says besides the jobs pane's rows and
// state: file and download news, and the request log's line. The own
// queue's events bring it while another batch is shown too: the reload
// on the way back brings rows, not files.
func (m *Model) onQueueNews(e QueueEvent) {
	at := e.At
	if at.IsZero() {
		at = m.now
	}
	m.onFileNews(e)
	if e.Note != "" {
		lvl := styles.Unknown
		if e.Job != nil && e.Job.State == data.StateFailed {
			lvl = styles.Critical
		}
		m.log.Add(logview.Entry{At: at, Level: lvl, Text: e.Note})
	}
}

func (m *Model) onAction(msg actionDoneMsg) {
	if msg.err != nil {
		what := string(msg.what)
		if msg.subject != "" {
			what += " " + msg.subject
		}
		m.setStatus(styles.Critical, what+" failed: "+describe(msg.err))
		return
	}
	switch msg.what {
	case actRetry:
		if msg.n == 0 {
			m.setStatus(styles.Unknown, "nothing to retry: jobs that failed on the server after creation are not resent (that would be a new job)")
			return
		}
		keys := " with their original keys"
		if msg.n == 1 {
			keys = " with its original key"
		}
		line := "retrying " + format.Quantity(msg.n, "failed job", "failed jobs") + keys
		if n := m.jobs.FailedOnServer(); n > 0 {
			line += fmt.Sprintf("; %d failed on the server after it was created: not resent (rerunning is a new job with a new key: add it again)", n)
		}
		m.setStatus(styles.Calm, line)
	case actRerun:
		m.setStatus(styles.Calm, "rerunning "+msg.subject+" as a new job with a new key (its credits are charged again)")
	case actEnqueue:
		m.setStatus(styles.Calm, "job queued")
	case actPause:
		m.queue.Paused = true
		m.setStatus(styles.Warning, "queue paused: nothing new is sent (running jobs finish)")
	case actResume:
		m.queue.Paused = false
		m.setStatus(styles.Calm, "queue resumed")
	case actCancel:
		m.setStatus(styles.Calm, "canceled "+msg.subject)
	default:
		m.setStatus(styles.Calm, string(msg.what)+" done")
	}
}

func (m *Model) onLoad(msg loadDoneMsg) {
	m.modelsWait = ModelsWait{} // the file was checked against the models: their wait is over
	var fe *FileError
	if errors.As(msg.err, &fe) {
		m.open.SetResult(nil, fe.Lines)
		m.log.Add(logview.Entry{At: m.now, Level: styles.Critical, Text: fe.Error()})
		return
	}
	if msg.err != nil {
		m.open.SetResult(msg.err, nil)
		m.log.Add(logview.Entry{At: m.now, Level: styles.Critical, Text: "load " + msg.path + ": " + describe(msg.err)})
		return
	}
	m.overlay = noOverlay
	m.setStatus(styles.Calm, "queued "+format.Quantity(msg.n, "job", "jobs")+" from "+msg.path)
}

// onPreview shows a file's estimate; a second enter loads it.
func (m *Model) onPreview(msg previewDoneMsg) {
	m.modelsWait = ModelsWait{} // the file was checked against the models: their wait is over
	var fe *FileError
	switch {
	case errors.As(msg.err, &fe):
		m.open.SetResult(nil, fe.Lines)
	case msg.err != nil:
		m.open.SetResult(msg.err, nil)
	default:
		m.open.SetPreview(msg.path, msg.lines)
	}
}

// describe turns an error into one clean line (see text.Clean); an API
// error reads as everywhere else (apiclient.ProblemLine).
func describe(err error) string {
	return text.Clean(err.Error())
}

func (m *Model) running() int {
	n := m.jobs.Count(data.StateRunning) + m.jobs.Count(data.StateCreated)
	if m.queue.Running > n {
		n = m.queue.Running
	}
	if m.opts.Queue == nil && m.runningAPI > n {
		n = m.runningAPI
	}
	return n
}

func (m *Model) unfinished() int {
	return m.jobs.Count(data.StatePending) + m.jobs.Count(data.StateSending) +
		m.jobs.Count(data.StateCreated) + m.jobs.Count(data.StateRunning)
}
