package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/styles"
)

// rerunSelected is r on a job the server created, ran and failed: that job
// is over on the server (its key answers the failure forever), so running
// it again is a new job under a new key, which only the queue's Rerun does
// (and refuses, saying why, when it was rerun already). It returns nil
// when the selected row is not such a job or failed for a reason a rerun
// would meet again (validation, plan, credits), and r then puts back the
// jobs whose creation failed, as before.
func (m *Model) rerunSelected() tea.Cmd {
	j, ok := m.jobs.Selected()
	if !ok || j.State != data.StateFailed || j.ID == "" || j.Problem == nil || j.Problem.Code != problem.CodeInternalError {
		return nil // only a server fault is worth a new job; r then retries failed creations
	}
	rq, ok := m.opts.Queue.(Rerunner)
	if !ok {
		return nil
	}
	ctx, key, name := m.ctx, j.Key, j.ID
	m.setStatus(styles.Unknown, "rerunning "+name+"…")
	return actionCmdFor(actRerun, name, func() (int, error) { return 1, rq.Rerun(ctx, key) })
}
