package queue

import (
	"bytes"
	"encoding/json"
	"errors"
)

// A journal record is the Job's JSON with the member names (and a few
// values) every record repeats replaced by one control byte each: about a
// third smaller, at the cost of a few byte scans. It stays JSON
// underneath, so a field added to Job needs nothing here (it is only
// stored longhand until it gets a token). encoding/json never writes a byte
// below 0x20 (it escapes them inside strings and writes no whitespace, and
// it compacts a RawMessage input), so the substitution is exactly
// reversible. A record that starts with '{' is plain JSON (journals
// written before the codec) and still loads.
//
// Deflate against a preset dictionary made records smaller still (225
// bytes against 619) but reset 640 KB of tables per record: 160 µs each,
// 16 s for a 100,000-line enqueue.

// recordTokens: the byte of tokens[i] is recordTokenBase+i. Append only:
// a token's byte is part of the journal format.
var recordTokens = [][]byte{
	[]byte(`{"key":"`), []byte(`,"seq":`), []byte(`,"model":"`), []byte(`,"input":`),
	[]byte(`,"credits":`), []byte(`,"line":`), []byte(`,"state":"`), []byte(`,"job_id":"`),
	[]byte(`,"server_status":"`), []byte(`,"attempts":`), []byte(`,"problem":{`), []byte(`,"ambiguous":true`),
	[]byte(`,"wait":"`), []byte(`,"enqueued":"`), []byte(`,"updated":"`), []byte(`,"server_updated":"`),
	[]byte(`,"finished":"`), []byte(`,"charged":`), []byte(`,"outputs":[`), []byte(`{"slot":"images"`),
	[]byte(`,"index":`), []byte(`,"content_type":"image/png"`), []byte(`,"content_type":"`), []byte(`,"size_bytes":`),
	[]byte(`,"sha256":"`), []byte(`,"retry_of":"`), []byte(`,"retried_as":"`), []byte(`,"rerun":`),
	[]byte(`succeeded"`),
}

const (
	recordCompact   = 0x1f // first byte of a tokenized record
	recordTokenBase = 0x01
)

// encodeRecord is a job as the journal stores it.
func encodeRecord(j Job) ([]byte, error) {
	raw, err := json.Marshal(j)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1, len(raw))
	out[0] = recordCompact
	for i := 0; i < len(raw); {
		t := tokenAt(raw[i:])
		if t < 0 {
			out = append(out, raw[i])
			i++
			continue
		}
		out = append(out, byte(recordTokenBase+t))
		i += len(recordTokens[t])
	}
	return out, nil
}

// tokenAt is the longest token b starts with, or -1.
func tokenAt(b []byte) int {
	if b[0] != ',' && b[0] != '{' && b[0] != 's' {
		return -1
	}
	best := -1
	for t, tok := range recordTokens {
		if bytes.HasPrefix(b, tok) && (best < 0 || len(tok) > len(recordTokens[best])) {
			best = t
		}
	}
	return best
}

// decodeRecord reads a record written by encodeRecord, or a plain JSON one.
func decodeRecord(v []byte) (Job, error) {
	var job Job
	if len(v) == 0 {
		return job, errors.New("empty record")
	}
	raw := v
	if v[0] == recordCompact {
		raw = make([]byte, 0, 2*len(v))
		for _, c := range v[1:] {
			if t := int(c) - recordTokenBase; c < 0x20 && t >= 0 && t < len(recordTokens) {
				raw = append(raw, recordTokens[t]...)
				continue
			}
			raw = append(raw, c)
		}
	}
	err := json.Unmarshal(raw, &job)
	return job, err
}
