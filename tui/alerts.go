// Alerts: an alert that fired shows on the status line (the banner) and in
// the log, rings the terminal bell, and, when the terminal shows desktop
// notifications itself, emits its escape through Bubble Tea's renderer,
// which owns the terminal (a write beside it would tear the screen).

package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/tui/styles"
)

// Alert is one alert as the dashboard shows it.
type Alert struct {
	Text     string // one line; cleaned again before it is shown
	Critical bool
	// Notify is the terminal's desktop-notification escape (OSC 9/777),
	// already built and cleaned by package alerts; "" for none.
	Notify string
}

type alertMsg Alert

type alertsClosedMsg struct{}

func listenAlerts(ch <-chan Alert) tea.Cmd {
	return func() tea.Msg {
		a, ok := <-ch
		if !ok {
			return alertsClosedMsg{}
		}
		return alertMsg(a)
	}
}

// onAlert shows a and returns the bell (and notification) to emit, and
// the next listen.
func (m *Model) onAlert(a alertMsg) tea.Cmd {
	lvl := styles.Warning
	if a.Critical {
		lvl = styles.Critical
	}
	m.setStatus(lvl, "⚠ "+a.Text)
	return tea.Batch(tea.Raw("\a"+a.Notify), listenAlerts(m.opts.Alerts))
}
