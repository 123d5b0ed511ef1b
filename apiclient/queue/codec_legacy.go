package queue

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Journals written before the binary records (codec.go) hold the Job's
// JSON with the member names (and a few values) every record repeated
// replaced by one control byte each (first byte recordCompact), or plain
// JSON (first byte '{'). They still load; a job's record is rewritten in
// the binary form at its next change.

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
	[]byte(`succeeded"`), []byte(`,"created":"`),
}

const (
	recordCompact   = 0x1f // first byte of a tokenized record
	recordTokenBase = 0x01
)

// decodeLegacy reads a record of an earlier format: tokenized or plain
// JSON, which carried its own key.
func decodeLegacy(key string, v []byte) (Job, error) {
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
	if err := json.Unmarshal(raw, &job); err != nil {
		return job, err
	}
	if job.Key != key {
		return job, fmt.Errorf("record of key %q holds job %q", key, job.Key)
	}
	return job, nil
}
