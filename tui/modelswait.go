// Models wait: listing the models (GET /v1/models, for the add-job form
// and the file loader) goes through the budget like every request, so it
// can wait for the rate window, a Retry-After or a retry after a fault.
// Each wait is said while it lasts, on the status line with a countdown,
// and noted in the log, so a slow form says why it is slow.

package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/logview"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// ModelsWait is one wait of the models request as it starts.
type ModelsWait struct {
	// Label names a wait that ends at Until ("Retry-After", "rate
	// window"), shown with a live countdown; "" when Text is said whole
	// (a retry: "retrying (3/8) in 4s: connection refused").
	Label string
	Text  string
	Until time.Time // when the wait ends, on this machine's clock
}

type (
	modelsWaitMsg        ModelsWait
	modelsWaitsClosedMsg struct{}
)

func listenModelsWaits(ch <-chan ModelsWait) tea.Cmd {
	return func() tea.Msg {
		w, ok := <-ch
		if !ok {
			return modelsWaitsClosedMsg{}
		}
		return modelsWaitMsg(w)
	}
}

// onModelsWait keeps the wait for the status line, notes it in the log,
// and listens for the next.
func (m *Model) onModelsWait(msg modelsWaitMsg) tea.Cmd {
	w := ModelsWait(msg)
	w.Label, w.Text = text.Clean(w.Label), text.Clean(w.Text) // a cause may quote the server
	m.modelsWait = w
	m.log.Add(logview.Entry{At: m.now, Level: styles.Unknown, Text: "listing models: " + w.Text})
	return listenModelsWaits(m.opts.ModelsWaits)
}

// modelsWaitLine is the footer while the models request waits: "loading
// models… waiting: Retry-After 12s"; "" when it does not wait (any more).
func (m *Model) modelsWaitLine(w int) string {
	mw := m.modelsWait
	left := mw.Until.Sub(m.now)
	if mw.Text == "" || left <= 0 {
		return ""
	}
	why := mw.Text
	if mw.Label != "" {
		why = "waiting: " + mw.Label + " " + format.Duration(left.Round(time.Second))
	}
	return " " + m.st.Warning.Render(text.Cut("◷ loading models… "+why, w-2))
}
