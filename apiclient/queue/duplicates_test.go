package queue_test

import (
	"encoding/json"
	"testing"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// The same jobs queued again are found by content (model and input, member
// order and spacing aside), so submit can ask before paying twice.
func TestDuplicatesFindsJobsByContent(t *testing.T) {
	q, _ := offlineQueue(t)
	if _, err := q.Enqueue(queue.NewJob{Model: "flux-schnell", Input: json.RawMessage(`{"prompt":"a","seed":7}`)}); err != nil {
		t.Fatal(err)
	}
	again := []queue.NewJob{
		{Model: "flux-schnell", Input: json.RawMessage(`{ "seed": 7, "prompt": "a" }`)}, // same job, other spelling
		{Model: "flux-schnell", Input: json.RawMessage(`{"prompt":"b"}`)},
		{Model: "flux-dev", Input: json.RawMessage(`{"prompt":"a","seed":7}`)},
	}
	if n := q.Duplicates(again); n != 1 {
		t.Fatalf("Duplicates = %d, want 1", n)
	}
}
