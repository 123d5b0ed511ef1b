package main

import (
	"context"
	"testing"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/tui/data"
)

// A poll's server sync may finish after the dashboard's context ended and
// the event stream closed; its send must be dropped, not panic on the
// closed channel (the old code selected on a send to a channel the
// forwarder could already have closed).
func TestEmitAfterCloseIsDroppedNotAPanic(t *testing.T) {
	a := &queueAdapter{events: make(chan data.Event, 1)}
	ctx := context.Background()
	if !a.emit(ctx, data.Event{Note: "first"}) {
		t.Fatal("emit on an open stream failed")
	}
	a.close()
	a.close() // twice is harmless
	if a.emit(ctx, data.Event{Note: "late"}) {
		t.Fatal("emit after close reported success")
	}
	if e, ok := <-a.events; !ok || e.Note != "first" {
		t.Fatalf("got %v %v, want the event sent before close", e, ok)
	}
	if _, ok := <-a.events; ok {
		t.Fatal("stream not closed")
	}
}

// The open prompt has no shell: "~/prompts.jsonl" must still mean the
// home directory.
func TestExpandHome(t *testing.T) {
	t.Setenv("HOME", "/home/ada")
	for _, c := range []struct{ in, want string }{
		{"~/prompts.jsonl", "/home/ada/prompts.jsonl"},
		{"~", "/home/ada"},
		{"prompts.jsonl", "prompts.jsonl"},
		{"/tmp/~x", "/tmp/~x"},
		{"~bob/x", "~bob/x"}, // another user's home: left as typed
	} {
		if got, err := expandHome(c.in); err != nil || got != c.want {
			t.Errorf("expandHome(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// The dashboard's job states are the queue's, by name: every queue state
// converts to one the dashboard knows, and finished means the same.
func TestJobStatesMatchTheQueue(t *testing.T) {
	known := map[data.State]bool{}
	for _, s := range []data.State{data.StatePending, data.StateSending, data.StateCreated, data.StateRunning, data.StateSucceeded, data.StateFailed, data.StateCanceled} {
		known[s] = true
	}
	for _, qs := range []queue.State{queue.StatePending, queue.StateSending, queue.StateCreated, queue.StateRunning, queue.StateSucceeded, queue.StateFailed, queue.StateCanceled} {
		j := convertJob(queue.Job{State: qs})
		if !known[j.State] {
			t.Errorf("queue state %q has no dashboard state", qs)
		}
		if finished := !qs.Unfinished() && qs != queue.StateCreated && qs != queue.StateRunning; j.State.Finished() != finished {
			t.Errorf("state %q: dashboard finished %t, queue %t", qs, j.State.Finished(), finished)
		}
	}
}
