package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/tui/data"
)

// lastLine is the footer of a rendered screen.
func lastLine(m *Model) string {
	ls := strings.Split(plain(m), "\n")
	return ls[len(ls)-1]
}

// A new user must always see how to get help and how to quit, even when
// the other hints do not fit (found in tmux at 100×30: "? help" and
// "q quit" were cut off behind "…").
func TestFooterAlwaysShowsHelpAndQuit(t *testing.T) {
	for _, w := range []int{60, 80, 100, 160} {
		m, _ := scenario(w, 30, true, 40)
		f := lastLine(m)
		if !strings.Contains(f, "? help") || !strings.Contains(f, "q/ctrl+c quit") {
			t.Errorf("%d cols: footer %q lacks help or quit", w, f)
		}
		if strings.Contains(f, "…") {
			t.Errorf("%d cols: footer cut mid-hint: %q", w, f)
		}
	}
	m := New(Options{Keys: map[string][]string{"help": {"h"}, "quit": {"Q"}}, Now: func() time.Time { return t0 }, NoColor: true})
	m.Update(windowSizeMsg(60, 20))
	if f := lastLine(m); !strings.Contains(f, "h help") || !strings.Contains(f, "Q quit") {
		t.Errorf("remapped help/quit not in footer: %q", f)
	}
}

// "1 credits" read wrong in the jobs table (tmux, sandbox, flux-schnell).
func TestOneCreditIsSingular(t *testing.T) {
	m, _ := scenario(100, 30, true, 40)
	v := plain(m)
	if strings.Contains(v, " 1 credits") {
		t.Fatalf("plural for one credit:\n%s", v)
	}
	if !strings.Contains(v, "1 credit ") {
		t.Fatalf("singular credit missing:\n%s", v)
	}
}

// An informational note is not marked "?" (the help key): tmux showed
// "? no failed jobs to retry".
func TestInfoStatusIsNotMarkedWithTheHelpKey(t *testing.T) {
	m, _ := scenario(100, 30, true, 0)
	m.Update(keyMsg("r"))
	if f := lastLine(m); !strings.Contains(f, "· no failed jobs to retry") {
		t.Fatalf("footer %q", f)
	}
}

// The open-file prompt's keys come first: at 100 columns the old hint
// ended in "ent…" and never said how to load or close.
func TestOpenPromptShowsItsKeys(t *testing.T) {
	m, _ := scenario(100, 30, true, 0)
	m.Update(keyMsg("o"))
	if v := plain(m); !strings.Contains(v, "enter load · esc close") {
		t.Fatalf("open prompt hides its keys:\n%s", v)
	}
}

// In the sandbox the journal is a temporary file: the quit question must
// not promise that --resume continues the jobs.
func TestSandboxQuitDoesNotPromiseTheJournal(t *testing.T) {
	m, _ := scenario(100, 30, true, 40)
	m.opts.Sandbox = true
	m.Update(keyMsg("q"))
	f := lastLine(m)
	if strings.Contains(f, "--resume") || !strings.Contains(f, "not kept after exit") {
		t.Fatalf("sandbox quit question: %q", f)
	}
	m2, _ := scenario(100, 30, true, 0)
	m2.Update(queueMsg{{At: t0, Job: &data.Job{Key: "k", State: data.StatePending}}})
	m2.Update(keyMsg("q"))
	if f := lastLine(m2); !strings.Contains(f, "1 job unfinished") {
		t.Fatalf("one job: %q", f)
	}
}

// ctrl+c quits from anywhere: an open form or the filter used to swallow
// it, leaving a new user with no way out but esc, which they may not know.
func TestCtrlCQuitsFromFormsAndFilter(t *testing.T) {
	for _, open := range []string{"a", "o", "/"} {
		m, _ := scenario(100, 30, true, 0)
		m.Update(keyMsg(open))
		_, cmd := m.Update(keyMsg("ctrl+c"))
		if msgs := run(cmd); len(msgs) == 0 || msgs[len(msgs)-1] != (tea.QuitMsg{}) {
			t.Errorf("after %q, ctrl+c gave %v", open, msgs)
		}
	}
}

// The request log got four lines at 100×30 (tmux): opening it now gives
// it half of the lower area.
func TestLogGetsRoomWhenOpened(t *testing.T) {
	m, _ := scenario(100, 30, true, 40)
	for i := range 20 {
		m.log.Add(logEntry(i))
	}
	m.Update(keyMsg("l"))
	if n := strings.Count(plain(m), "log line"); n < 6 {
		t.Fatalf("log shows %d lines at 100×30:\n%s", n, plain(m))
	}
}

// Pausing and resuming the queue starts no timer of its own: the frame
// and poll chains stay one each however often the user toggles.
func TestPauseResumeStartsNoTicks(t *testing.T) {
	m, q := scenario(100, 30, true, 0)
	for range 5 {
		_, cmd := m.Update(keyMsg("space"))
		msgs := run(cmd)
		if len(msgs) != 1 {
			t.Fatalf("toggle gave %d messages", len(msgs))
		}
		if _, ok := msgs[0].(actionDoneMsg); !ok {
			t.Fatalf("toggle gave %T, want only the action's result", msgs[0])
		}
		if _, next := m.Update(msgs[0]); next != nil {
			t.Fatal("the action's result scheduled a command")
		}
	}
	if n := len(q.Calls()); n != 5 {
		t.Fatalf("%d queue calls", n)
	}
}

// The full help fits the terminal: at 60 columns its last column (close,
// help, quit) was cut off behind "…".
func TestFullHelpFitsNarrowTerminals(t *testing.T) {
	for _, sz := range [][2]int{{60, 20}, {80, 24}, {100, 30}} {
		m, _ := scenario(sz[0], sz[1], true, 0)
		m.Update(keyMsg("?"))
		v := plain(m)
		for _, want := range []string{"add job", "refresh now", "page down", "close", "help", "quit"} {
			if !strings.Contains(v, want) {
				t.Errorf("%v: help lacks %q:\n%s", sz, want, v)
			}
		}
		if _, body, _ := strings.Cut(v, "\n"); strings.Contains(body, "…") { // the header's token has one
			t.Errorf("%v: help cut:\n%s", sz, v)
		}
	}
}

// While a form or the filter has the keyboard, the footer shows the keys
// that work there, not the dashboard's (which would type letters).
func TestFooterFollowsTheKeyboardOwner(t *testing.T) {
	for _, c := range []struct{ open, want string }{{"a", "esc close"}, {"o", "enter load"}, {"/", "esc clear"}} {
		m, _ := scenario(100, 30, true, 0)
		m.Update(keyMsg(c.open))
		if f := lastLine(m); !strings.Contains(f, c.want) || strings.Contains(f, "x cancel") {
			t.Errorf("after %q: footer %q", c.open, f)
		}
	}
}
