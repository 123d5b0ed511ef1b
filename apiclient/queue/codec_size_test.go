package queue

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func trackedJob() Job {
	t0 := time.Date(2026, 11, 29, 20, 1, 2, 345678901, time.UTC)
	return Job{Key: "6f1c2a9e-8d3b-4c1e-9f7a-2b5d8e0c4a13", Seq: 12345, Model: "flux-schnell", Input: json.RawMessage(`{"prompt":"a lighthouse, take 12345","ref":"job-12345"}`),
		Credits: 1, Line: 12346, State: StateSucceeded, JobID: "job_01JDX3ZK8Q4M7N2P5R6S9T0V1W", ServerStatus: "succeeded", Attempts: 1,
		Owner:    Owner{Endpoint: "https://api.abstrakt.dev", Org: "sha256:1a2b3c4d5e6f7a8b", Token: "ab_…wxyz"},
		Enqueued: t0, Updated: t0.Add(time.Minute), ServerUpdated: t0.Add(50 * time.Second), Finished: t0.Add(50 * time.Second), Created: t0.Add(time.Second), Charged: 1,
		Outputs: []OutputMeta{{Slot: "images", ContentType: "image/png", SizeBytes: 123456, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}
}

// memOwners is an owner table in memory.
type memOwners struct{ list []Owner }

func (m *memOwners) ownerID(o Owner) uint64 {
	for i, x := range m.list {
		if x == o {
			return uint64(i + 1)
		}
	}
	m.list = append(m.list, o)
	return uint64(len(m.list))
}

func (m *memOwners) owner(id uint64) (Owner, bool) {
	if id == 0 || id > uint64(len(m.list)) {
		return Owner{}, false
	}
	return m.list[id-1], true
}

func roundTrip(t testing.TB, j Job) (Job, int) {
	t.Helper()
	tbl := &memOwners{}
	enc, err := encodeRecord(j, tbl)
	if err != nil {
		t.Fatalf("%s: %v", j.Key, err)
	}
	got, err := decodeRecord(j.Key, enc, tbl)
	if err != nil {
		t.Fatalf("%s: %v", j.Key, err)
	}
	return got, len(enc)
}

// Jobs read back the same, and a tracked job's record is small enough
// for issue 12's ≤ 300 bytes a job with its key and bbolt's overhead.
func TestRecordCodec(t *testing.T) {
	for _, j := range []Job{
		trackedJob(),
		{Key: "k", Seq: 1, Model: "m", Input: json.RawMessage(`{"state":"x","prompt":"\u0001 ,\"seq\": succeeded\"","n":[1,2]}`), State: StatePending},
		{Key: "k2", State: StateFailed, JobID: "job_1", Problem: &Problem{Status: 500, Code: "internal_error", Detail: "boom"}, RetriedAs: "k3", Rerun: 2, ServerStatus: "failed"},
		{Key: "k3", State: "weird", ServerStatus: "queued", Seq: -4, Credits: 0.1 + 0.2, Enqueued: time.Date(1, 2, 3, 4, 5, 6, 7, time.UTC),
			Updated: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), Outputs: []OutputMeta{{Slot: "video", ContentType: "video/mp4", SHA256: "NOT-HEX"}, {Index: -1}}},
		{Key: "k4", Outputs: []OutputMeta{}, Input: json.RawMessage(`null`)},
	} {
		got, n := roundTrip(t, j)
		if !reflect.DeepEqual(got, j) {
			t.Fatalf("%s: decoded\n%+v, want\n%+v", j.Key, got, j)
		}
		t.Logf("%s: record %d bytes", j.Key, n)
	}
	if _, n := roundTrip(t, trackedJob()); n > 210 {
		t.Errorf("a tracked job's record is %d bytes, want ≤ 210", n)
	}
	for _, bad := range []Job{{Key: "b", Input: json.RawMessage(`{`)}, {Key: "b", Charged: nan()}, {Key: "b", Finished: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}} {
		if _, err := encodeRecord(bad, &memOwners{}); err == nil {
			t.Errorf("%+v encoded", bad)
		}
	}
}

func nan() float64 { var z float64; return z / z }

// Every field of Job set to something other than its zero comes back:
// a field added to Job without a tag in codec.go fails here.
func TestRecordCodecCoversEveryField(t *testing.T) {
	var j Job
	fill(t, reflect.ValueOf(&j).Elem(), "Job")
	j.Input = json.RawMessage(`{"x":1}`)
	got, _ := roundTrip(t, j)
	if !reflect.DeepEqual(got, j) {
		t.Fatalf("a field is lost:\n got %+v\nwant %+v", got, j)
	}
	j.State = StateRunning // a known state, and times relative to Enqueued
	got, _ = roundTrip(t, j)
	if !reflect.DeepEqual(got, j) {
		t.Fatalf("a field is lost:\n got %+v\nwant %+v", got, j)
	}
}

// fill sets every field below v to a non-zero value.
func fill(t *testing.T, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("s-" + path)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(len(path)))
	case reflect.Float64:
		v.SetFloat(float64(len(path)) + 0.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), path)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(`"` + path + `"`))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(t, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 1, 0, 0, len(path), 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	default:
		t.Fatalf("%s: fill knows no %s", path, v.Kind())
	}
}

// Any bytes decode to a job or an error, never a panic; any job encodes
// and decodes to itself.
func FuzzRecordCodec(f *testing.F) {
	enc, _ := encodeRecord(trackedJob(), &memOwners{})
	f.Add(enc, "a lighthouse")
	f.Add([]byte(`{"key":"k"}`), ",\"seq\":")
	f.Add([]byte{recordCompact, 1, 2, 3, 0x1e, 0x00}, "\x01")
	f.Add([]byte{recordBinary, tagOutputs, 0xff, 0xff, 0x7f}, "")
	f.Fuzz(func(t *testing.T, data []byte, prompt string) {
		_, _ = decodeRecord("k", data, &memOwners{list: []Owner{{Endpoint: "e"}}})
		in, err := json.Marshal(map[string]string{"prompt": prompt})
		if err != nil {
			return
		}
		j := trackedJob()
		j.Input, j.Wait, j.Model, j.JobID = in, prompt, prompt, strings.ToUpper(prompt)
		j.Outputs[0].SHA256 = prompt
		got, _ := roundTrip(t, j)
		if !reflect.DeepEqual(got, j) {
			t.Fatalf("round trip changed the job:\n%+v\n%+v", got, j)
		}
	})
}
