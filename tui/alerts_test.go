package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// An alert reaches the status line and the log cleaned of escapes, and
// the command rings the bell and emits the notification through tea.Raw.
func TestAlertBannerBellAndNotification(t *testing.T) {
	ch := make(chan Alert, 1)
	m := New(Options{Now: func() time.Time { return t0 }, Alerts: ch})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	_, cmd := m.Update(alertMsg{Text: "acme: monthly quota 95% used\x1b[2J", Critical: true, Notify: "\x1b]9;abtop critical: q\x07"})
	if !strings.Contains(m.status, "acme: monthly quota 95% used") || strings.Contains(m.status, "\x1b") {
		t.Fatalf("status %q", m.status)
	}
	if !strings.Contains(m.View().Content, "monthly quota 95% used") {
		t.Fatal("banner not in the view")
	}
	if cmd == nil {
		t.Fatal("no bell")
	}
	close(ch) // the listen that follows returns at once
	raw := ""
	for _, msg := range run(cmd) {
		if r, ok := msg.(tea.RawMsg); ok {
			raw += r.Msg.(string)
		}
	}
	if raw != "\a\x1b]9;abtop critical: q\x07" {
		t.Fatalf("raw output %q", raw)
	}
}
