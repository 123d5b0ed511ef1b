package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
)

// footer is the screen's last line.
func footer(m *Model) string {
	s := plain(m)
	return s[strings.LastIndex(s, "\n")+1:]
}

// While the models request waits (a Retry-After here), the add-job form's
// footer says so with a countdown, and the log keeps it; when the wait is
// over, or the models arrive, the form's own hints come back.
func TestSlowModelsLoadSaysWhy(t *testing.T) {
	now := t0
	waits := make(chan ModelsWait, 1)
	m := New(Options{Monitor: &fakeMonitor{}, Queue: newFakeQueue(nil), ModelsWaits: waits,
		Now: func() time.Time { return now }, NoColor: true})
	m.Update(windowSizeMsg(100, 30))
	m.Update(keyMsg("a"))
	if f := footer(m); strings.Contains(f, "loading models") {
		t.Fatalf("a wait is said before any: %q", f)
	}

	waits <- ModelsWait{Label: "Retry-After", Text: "Retry-After 12s", Until: t0.Add(12 * time.Second)}
	_, next := m.Update(run(listenModelsWaits(waits))[0])
	if next == nil {
		t.Fatal("the dashboard stopped listening for waits after one")
	}
	if f := footer(m); !strings.Contains(f, "loading models… waiting: Retry-After 12s") {
		t.Fatalf("footer during the wait: %q", f)
	}
	now = t0.Add(5 * time.Second)
	m.Update(frameMsg{})
	if f := footer(m); !strings.Contains(f, "waiting: Retry-After 7s") {
		t.Fatalf("the countdown did not move: %q", f)
	}
	if e, _ := m.log.Last(); !strings.Contains(e.Text, "listing models: Retry-After 12s") {
		t.Fatalf("log: %q", e.Text)
	}
	now = t0.Add(13 * time.Second)
	m.Update(frameMsg{})
	if f := footer(m); strings.Contains(f, "loading models") || !strings.Contains(f, "esc close") {
		t.Fatalf("footer after the wait ended: %q", f)
	}

	// a retry is said whole (its text has the count and the cause), and
	// server text in it is escaped; the models' arrival ends it
	waits <- ModelsWait{Text: "retrying (3/8) in 4s: connection refused\x1b]0;pwned\a", Until: now.Add(4 * time.Second)}
	m.Update(run(listenModelsWaits(waits))[0])
	f := footer(m)
	if !strings.Contains(f, "loading models… retrying (3/8) in 4s: connection refused") {
		t.Fatalf("footer during a retry: %q", f)
	}
	if strings.Contains(m.Render(), "\x1b]0;") {
		t.Fatal("a control sequence in the wait reached the screen")
	}
	m.Update(modelsMsg{models: []apiclient.Model{{ID: "flux-schnell"}}})
	if f := footer(m); strings.Contains(f, "loading models") {
		t.Fatalf("the wait is still said after the models arrived: %q", f)
	}
}
