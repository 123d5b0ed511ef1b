package queue

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func trackedJob() Job {
	t0 := time.Date(2026, 11, 29, 20, 1, 2, 345678901, time.UTC)
	return Job{Key: "6f1c2a9e-8d3b-4c1e-9f7a-2b5d8e0c4a13", Seq: 12345, Model: "flux-schnell", Input: json.RawMessage(`{"prompt":"a lighthouse, take 12345","ref":"job-12345"}`),
		Credits: 1, Line: 12346, State: StateSucceeded, JobID: "job_01JDX3ZK8Q4M7N2P5R6S9T0V1W", ServerStatus: "succeeded", Attempts: 1,
		Enqueued: t0, Updated: t0.Add(time.Minute), ServerUpdated: t0.Add(50 * time.Second), Finished: t0.Add(50 * time.Second), Charged: 1,
		Outputs: []OutputMeta{{Slot: "images", ContentType: "image/png", SizeBytes: 123456, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}
}

// The tokens fit below the record marker, and a typical tracked job's
// record is much smaller than its JSON and reads back the same.
func TestRecordCodec(t *testing.T) {
	if recordTokenBase+len(recordTokens) > recordCompact {
		t.Fatalf("%d tokens overrun the record marker", len(recordTokens))
	}
	for _, j := range []Job{
		trackedJob(),
		{Key: "k", Seq: 1, Model: "m", Input: json.RawMessage(`{"state":"x","prompt":"\u0001 ,\"seq\": succeeded\"","n":[1,2]}`), State: StatePending},
		{Key: "k2", State: StateFailed, JobID: "job_1", Problem: &Problem{Status: 500, Code: "internal_error", Detail: "boom"}, RetriedAs: "k3", Rerun: 2},
	} {
		raw, _ := json.Marshal(j)
		enc, err := encodeRecord(j)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRecord(enc)
		if err != nil {
			t.Fatalf("%s: %v", j.Key, err)
		}
		want, _ := decodeRecord(raw) // plain JSON, as older journals hold
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: decoded %+v, want %+v", j.Key, got, want)
		}
		t.Logf("%s: json %d bytes, record %d bytes", j.Key, len(raw), len(enc))
	}
	raw, _ := json.Marshal(trackedJob())
	if enc, _ := encodeRecord(trackedJob()); len(enc) > len(raw)*2/3 {
		t.Errorf("record %d bytes for %d of JSON: the tokens do not bite", len(enc), len(raw))
	}
}

// Any bytes decode to a job or an error, never a panic; any job encodes
// and decodes to itself.
func FuzzRecordCodec(f *testing.F) {
	enc, _ := encodeRecord(trackedJob())
	f.Add(enc, "a lighthouse")
	f.Add([]byte(`{"key":"k"}`), ",\"seq\":")
	f.Add([]byte{recordCompact, 1, 2, 3, 0x1e, 0x00}, "\x01")
	f.Fuzz(func(t *testing.T, data []byte, prompt string) {
		_, _ = decodeRecord(data)
		in, err := json.Marshal(map[string]string{"prompt": prompt})
		if err != nil {
			return
		}
		j := trackedJob()
		j.Input, j.Wait = in, prompt
		e, err := encodeRecord(j)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRecord(e)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		raw, _ := json.Marshal(j)
		want, _ := decodeRecord(raw)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip changed the job:\n%+v\n%+v", got, want)
		}
	})
}
