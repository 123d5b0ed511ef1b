package main

// The dashboard's models listing says its waits: GET /v1/models goes
// through the budget, and a form that waits on a Retry-After must say so.

import (
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/tui"
)

// sayWait is whether a wait of a models listing is worth saying: a retry
// always, a pacing wait from a second on (a blip is not news).
func sayWait(w queue.Wait) bool { return w.Reason == queue.ReasonBackoff || w.For >= time.Second }

// modelsWait hands a wait worth saying to the dashboard, on this
// machine's clock. It never blocks the request: when the dashboard is
// behind, the wait is dropped and the next one says the news.
func (m *monitorAdapter) modelsWait(w queue.Wait) {
	if m.waits == nil || !sayWait(w) {
		return
	}
	tw := tui.ModelsWait{Label: w.Label(), Text: w.Text}
	if !w.Until.IsZero() {
		tw.Until = m.sess.Local(w.Until)
	}
	select {
	case m.waits <- tw:
	default:
	}
}
