package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/text"
)

// Text from outside (problem bodies, error messages, job fields) can hold
// newlines and escape sequences. Drawn as is, a newline breaks the frame
// (an extra row, every border below shifted) and an OSC or SGR sequence
// restyles or retitles the user's terminal.
func TestServerTextCannotBreakTheFrameOrTheTerminal(t *testing.T) {
	evil := "bad\nline two\x1b]0;pwned\x07 \x1b[31mred\x1b[0m\ttab\r"
	m, _ := scenario(100, 30, true, 0)
	j := data.Job{Key: "k1", ID: "job_\x1b[2J", Model: "flux\nschnell", State: data.StateFailed, Attempts: 1, Enqueued: t0,
		Err:     evil,
		Next:    evil,
		Problem: &problem.Problem{Status: 422, Code: "validation_failed", Title: evil, Detail: evil, Fields: []problem.FieldError{{Pointer: "/input\n", Detail: evil}}}}
	m.Update(queueMsg{{At: t0, Job: &j, Note: evil}})
	m.Update(obsMsg{{Method: "POST", Path: "/v1/jobs", Status: 500, Err: errors.New(evil)}})
	m.Update(actionDoneMsg{what: actCancel, err: &apiclient.Error{Status: 409, Code: "conflict", Title: evil, Detail: evil}})
	for _, focus := range []string{"", "tab", "l"} {
		if focus != "" {
			m.Update(keyMsg(focus))
		}
		out := m.Render()
		lines := strings.Split(out, "\n")
		if len(lines) != 30 {
			t.Fatalf("focus %q: %d lines, want 30:\n%s", focus, len(lines), out)
		}
		for i, l := range lines {
			if w := text.Width(l); w != 100 {
				t.Errorf("focus %q: line %d is %d cells: %q", focus, i, w, l)
			}
		}
		for _, bad := range []string{"\x1b]", "\x1b[2J", "\x1b[31m", "\r", "\t", "\x07"} {
			if strings.Contains(out, bad) {
				t.Errorf("focus %q: output carries %q", focus, bad)
			}
		}
	}
}
