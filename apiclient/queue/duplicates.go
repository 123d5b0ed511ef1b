package queue

import (
	"bytes"
	"encoding/json"
)

// Duplicates counts the jobs in nj that are already in the queue with the
// same model and input (compared as JSON values: member order and spacing
// do not matter). The same file submitted twice is paid for twice, so
// submit asks before sending them.
func (q *Queue) Duplicates(nj []NewJob) int {
	q.mu.Lock()
	if len(q.jobs) == 0 { // a first batch: nothing to compare 100,000 inputs with
		q.mu.Unlock()
		return 0
	}
	seen := make(map[string]bool, len(q.jobs))
	for _, j := range q.jobs {
		// a canceled job, or one the server refused, was never paid for
		if j.State != StateCanceled && (j.State != StateFailed || j.JobID != "") {
			seen[contentKey(j.Model, j.Input)] = true
		}
	}
	q.mu.Unlock()
	n := 0
	for _, j := range nj {
		if seen[contentKey(j.Model, j.Input)] {
			n++
		}
	}
	return n
}

// contentKey is a job's model and canonical input.
func contentKey(model string, input json.RawMessage) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(input))
	dec.UseNumber()
	if dec.Decode(&v) == nil {
		if b, err := json.Marshal(v); err == nil {
			return model + "\x00" + string(b)
		}
	}
	return model + "\x00" + string(input)
}
