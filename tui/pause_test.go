package tui

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/tui/data"
)

// A state event said before a pause was asked (one waiting in the channel,
// a batch record published earlier) does not undo the pause on screen, so
// the next space resumes instead of pausing again; one said after it is
// the queue's word and stands.
func TestStaleStateDoesNotUndoAPause(t *testing.T) {
	m, q := scenario(100, 30, true, 10)
	press := func(k string) {
		t.Helper()
		_, cmd := m.Update(keyMsg(k))
		for _, msg := range run(cmd) {
			m.Update(msg)
		}
	}
	press("space")
	if !m.queue.Paused {
		t.Fatal("not paused after space")
	}
	m.Update(queueMsg{{At: t0.Add(-time.Second), State: &data.QueueState{Concurrency: 10}}})
	if !m.queue.Paused {
		t.Fatal("a state said before the pause was asked undid it")
	}
	press("space")
	if got := q.Calls(); len(got) != 2 || got[0] != "pause" || got[1] != "resume" {
		t.Fatalf("calls %v, want pause then resume", got)
	}
	m.Update(queueMsg{{At: t0.Add(time.Second), State: &data.QueueState{Concurrency: 10, Paused: true, Reason: "paused: daily credit cap"}}})
	if !m.queue.Paused || m.queue.Reason != "paused: daily credit cap" {
		t.Fatalf("a state said after the resume (the owner paused at a cap) was not taken: %+v", m.queue)
	}
}
