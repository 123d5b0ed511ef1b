package queue

import (
	"sync"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/caps"
)

// EventType names what happened.
type EventType string

const (
	EventJob     EventType = "job"     // a job changed state (Job holds the new record)
	EventWait    EventType = "wait"    // a wait started (Wait says why and how long)
	EventProblem EventType = "problem" // a request failed (Job.Problem holds it)
	EventPaused  EventType = "paused"  // the queue paused (Reason says why)
	EventResumed EventType = "resumed"
)

// Event is one thing the TUI or the progress display may show.
//
// An EventJob carries the job's whole record after the change: Key (its
// Idempotency-Key), Line (in the submitted file), JobID, State, and once
// tracking has seen it end, Finished, Charged, Outputs (content type, size
// and sha256 per file) or Problem (a failed job's error); RetryOf and
// RetriedAs link a rerun to the attempt before it. Files holds the output
// files with their links, valid for about an hour, when the news came with
// them (a list read, a GET or a webhook saw the job succeed); after a
// resume, Queue.Links asks for fresh ones.
type Event struct {
	Type   EventType
	Job    Job
	Wait   Wait
	Reason string
	Files  []apiclient.OutputFile
	// Cap is the cap a job reached, on the EventProblem that pauses the
	// queue at it (alerts fire cap_reached from it); nil otherwise.
	Cap *caps.Reached
}

// hub fans events out to subscribers. A subscriber that falls behind loses
// events (counted in Dropped) rather than stalling the queue; the queue's
// List is always the full truth.
type hub struct {
	mu      sync.Mutex
	subs    map[int]chan Event
	next    int
	dropped int
}

func (h *hub) subscribe(buf int) (<-chan Event, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[int]chan Event{}
	}
	id := h.next
	h.next++
	ch := make(chan Event, buf)
	h.subs[id] = ch
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if c, ok := h.subs[id]; ok {
			delete(h.subs, id)
			close(c)
		}
	}
}

func (h *hub) publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ch := range h.subs {
		select {
		case ch <- e:
		default:
			h.dropped++
		}
	}
}
