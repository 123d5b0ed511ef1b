package queue

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/abtop-dev/abtop/caps"
)

// A journal record is the Job in a small binary form: one tag byte per
// field that is set, then its value (varints, length-prefixed bytes). A
// 100,000-line batch tracked to its end must fit in ≤ 300 bytes a job
// (issue 12), and its JSON alone was 470: the key is the record's bbolt
// key and not repeated, the owner (endpoint, org, masked token: ~100
// bytes) is a number into the journal's owner table, times are varints
// (the later ones relative to Enqueued), states are one byte and a sha256
// is its 32 bytes. Problem and Cap, rare and nested, stay JSON.
//
// A field added to Job needs a tag here: TestRecordCodecCoversEveryField
// fills every field and fails when one does not come back. Tags are part
// of the format: append only. A record of an unknown tag is reported as
// unreadable (a newer abtop wrote it), never misread. Records of earlier
// formats (plain JSON, tokenized JSON: codec_legacy.go) still load.

const recordBinary = 0x1e // first byte of a binary record

const (
	tagSeq = iota + 1
	tagModel
	tagInput
	tagCredits
	tagLine
	tagOwner
	tagState     // a known state's index in states
	tagStateText // any other state
	tagJobID
	tagServerStatus
	tagServerStatusIsState // no value: ServerStatus == State
	tagAttempts
	tagProblem // JSON
	tagAmbiguous
	tagWait
	tagEnqueued // Unix nanoseconds
	tagUpdated  // nanoseconds after Enqueued (from here to tagCreated)
	tagCap      // JSON
	tagServerUpdated
	tagFinished
	tagCreated
	tagCharged
	tagOutputs
	tagRetryOf
	tagRetriedAs
	tagRerun
	tagTimeText // a time out of int64 nanoseconds: the field's tag, then RFC 3339
)

var states = []State{StatePending, StateSending, StateCreated, StateRunning, StateSucceeded, StateFailed, StateCanceled}

// ownerTable numbers the owners of a journal's records.
type ownerTable interface {
	ownerID(Owner) uint64
	owner(id uint64) (Owner, bool)
}

type recordWriter struct{ b []byte }

func (w *recordWriter) uvarint(tag byte, v uint64) {
	w.b = append(w.b, tag)
	w.b = binary.AppendUvarint(w.b, v)
}

func (w *recordWriter) varint(tag byte, v int64) {
	w.b = append(w.b, tag)
	w.b = binary.AppendVarint(w.b, v)
}

func (w *recordWriter) bytes(tag byte, s []byte) {
	w.b = append(w.b, tag)
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *recordWriter) str(tag byte, s string) {
	if s != "" {
		w.b = append(w.b, tag)
		w.b = binary.AppendUvarint(w.b, uint64(len(s)))
		w.b = append(w.b, s...)
	}
}

func (w *recordWriter) float(tag byte, f float64) {
	if f != 0 {
		w.str(tag, strconv.FormatFloat(f, 'g', -1, 64)) // "1" is 1 byte, exact
	}
}

// time writes t as nanoseconds after base (Enqueued; 0 for Enqueued).
func (w *recordWriter) time(tag byte, t time.Time, base int64) {
	switch {
	case t.IsZero():
	case inNanos(t):
		w.varint(tag, t.UnixNano()-base)
	default:
		text, _ := t.MarshalText() // years 0–9999 (json.Marshal checked them first)
		w.b = append(w.b, tagTimeText, tag)
		w.b = binary.AppendUvarint(w.b, uint64(len(text)))
		w.b = append(w.b, text...)
	}
}

var minNanos, maxNanos = time.Unix(0, math.MinInt64/2), time.Unix(0, math.MaxInt64/2)

// inNanos: t and its distance to any other such time fit int64 nanoseconds.
func inNanos(t time.Time) bool { return t.After(minNanos) && t.Before(maxNanos) }

// encodeRecord is a job as the journal stores it (without its key).
func encodeRecord(j Job, owners ownerTable) ([]byte, error) {
	if err := recordable(j); err != nil {
		return nil, err
	}
	w := recordWriter{b: make([]byte, 1, 160+len(j.Input))}
	w.b[0] = recordBinary
	if j.Seq != 0 {
		w.varint(tagSeq, j.Seq)
	}
	w.str(tagModel, j.Model)
	if j.Input != nil {
		w.bytes(tagInput, j.Input)
	}
	w.float(tagCredits, j.Credits)
	if j.Line != 0 {
		w.varint(tagLine, int64(j.Line))
	}
	if j.Owner != (Owner{}) {
		w.uvarint(tagOwner, owners.ownerID(j.Owner))
	}
	if i := stateIndex(j.State); i >= 0 {
		w.uvarint(tagState, uint64(i))
	} else {
		w.bytes(tagStateText, []byte(j.State))
	}
	w.str(tagJobID, j.JobID)
	if j.ServerStatus != "" && j.ServerStatus == string(j.State) {
		w.b = append(w.b, tagServerStatusIsState)
	} else {
		w.str(tagServerStatus, j.ServerStatus)
	}
	if j.Attempts != 0 {
		w.varint(tagAttempts, int64(j.Attempts))
	}
	if j.Problem != nil {
		p, err := json.Marshal(j.Problem)
		if err != nil {
			return nil, err
		}
		w.bytes(tagProblem, p)
	}
	if j.Ambiguous {
		w.b = append(w.b, tagAmbiguous)
	}
	w.str(tagWait, j.Wait)
	var base int64
	if !j.Enqueued.IsZero() && inNanos(j.Enqueued) {
		base = j.Enqueued.UnixNano()
		w.varint(tagEnqueued, base)
	} else {
		w.time(tagEnqueued, j.Enqueued, 0)
	}
	w.time(tagUpdated, j.Updated, base)
	if j.Cap != (caps.Reservation{}) {
		c, err := json.Marshal(j.Cap)
		if err != nil {
			return nil, err
		}
		w.bytes(tagCap, c)
	}
	w.time(tagServerUpdated, j.ServerUpdated, base)
	w.time(tagFinished, j.Finished, base)
	w.time(tagCreated, j.Created, base)
	w.float(tagCharged, j.Charged)
	if j.Outputs != nil {
		w.uvarint(tagOutputs, uint64(len(j.Outputs)))
		for _, o := range j.Outputs {
			w.b = appendOutput(w.b, o)
		}
	}
	w.str(tagRetryOf, j.RetryOf)
	w.str(tagRetriedAs, j.RetriedAs)
	if j.Rerun != 0 {
		w.varint(tagRerun, int64(j.Rerun))
	}
	return w.b, nil
}

// recordable refuses what the JSON records refused (and what could not
// be read back): an input that is not JSON, a number that is not finite,
// a time outside the years 0–9999.
func recordable(j Job) error {
	if j.Input != nil && !json.Valid(j.Input) {
		return errors.New("job input is not valid JSON")
	}
	for _, f := range []float64{j.Credits, j.Charged} {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("job number %v is not finite", f)
		}
	}
	for _, t := range []time.Time{j.Enqueued, j.Updated, j.ServerUpdated, j.Finished, j.Created} {
		if y := t.Year(); y < 0 || y > 9999 {
			return fmt.Errorf("job time %v is outside the years 0–9999", t)
		}
	}
	return nil
}

// outputWords are the slots and content types of API.md, one byte each in
// a record. Append only: an index is part of the format.
var outputWords = []string{"images", "video", "audio", "image/png", "image/jpeg", "image/webp",
	"video/mp4", "audio/wav", "audio/mpeg"}

// appendOutput: slot, index, content type, size, then the sha256 as 32
// bytes (flag 1) when it is lowercase hex, else as text (flag 0).
func appendOutput(b []byte, o OutputMeta) []byte {
	for _, s := range []string{o.Slot, o.ContentType} {
		if i := slices.Index(outputWords, s); i >= 0 {
			b = binary.AppendUvarint(b, uint64(i)<<1|1)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(s))<<1)
		b = append(b, s...)
	}
	b = binary.AppendVarint(b, int64(o.Index))
	b = binary.AppendVarint(b, o.SizeBytes)
	if sum, err := hex.DecodeString(o.SHA256); err == nil && len(sum) == 32 && hex.EncodeToString(sum) == o.SHA256 {
		return append(append(b, 1), sum...)
	}
	b = append(b, 0)
	b = binary.AppendUvarint(b, uint64(len(o.SHA256)))
	return append(b, o.SHA256...)
}

func stateIndex(s State) int {
	for i, st := range states {
		if st == s {
			return i
		}
	}
	return -1
}

// decodeRecord reads the record of key: binary, or one of an earlier
// format.
func decodeRecord(key string, v []byte, owners ownerTable) (Job, error) {
	if len(v) == 0 {
		return Job{}, errors.New("empty record")
	}
	if v[0] != recordBinary {
		return decodeLegacy(key, v)
	}
	r := recordReader{b: v[1:]}
	j := Job{Key: key}
	var base int64
	for len(r.b) > 0 && r.err == nil {
		tag := r.byte()
		switch tag {
		case tagSeq:
			j.Seq = r.varint()
		case tagModel:
			j.Model = r.str()
		case tagInput:
			j.Input = json.RawMessage(r.bytes())
		case tagCredits:
			j.Credits = r.float()
		case tagLine:
			j.Line = int(r.varint())
		case tagOwner:
			id := r.uvarint()
			o, ok := owners.owner(id)
			if !ok && r.err == nil {
				r.err = fmt.Errorf("owner %d is not in the journal's owner table", id)
			}
			j.Owner = o
		case tagState:
			i := r.uvarint()
			if i >= uint64(len(states)) {
				r.fail("state")
				break
			}
			j.State = states[i]
		case tagStateText:
			j.State = State(r.str())
		case tagJobID:
			j.JobID = r.str()
		case tagServerStatus:
			j.ServerStatus = r.str()
		case tagServerStatusIsState:
			j.ServerStatus = string(j.State)
		case tagAttempts:
			j.Attempts = int(r.varint())
		case tagProblem:
			j.Problem = &Problem{}
			r.json(j.Problem)
		case tagAmbiguous:
			j.Ambiguous = true
		case tagWait:
			j.Wait = r.str()
		case tagEnqueued:
			base = r.varint()
			j.Enqueued = time.Unix(0, base).UTC()
		case tagUpdated, tagServerUpdated, tagFinished, tagCreated:
			*timeField(&j, tag) = time.Unix(0, base+r.varint()).UTC()
		case tagTimeText:
			f := timeField(&j, r.byte())
			if f == nil {
				r.fail("time field")
				break
			}
			if err := f.UnmarshalText(r.bytes()); err != nil && r.err == nil {
				r.err = err
			}
		case tagCap:
			r.json(&j.Cap)
		case tagCharged:
			j.Charged = r.float()
		case tagOutputs:
			n := r.uvarint()
			if n > uint64(len(r.b)) { // each output takes bytes: a huge count is corrupt
				r.fail("output count")
				break
			}
			j.Outputs = make([]OutputMeta, 0, n)
			for range n {
				j.Outputs = append(j.Outputs, r.output())
			}
		case tagRetryOf:
			j.RetryOf = r.str()
		case tagRetriedAs:
			j.RetriedAs = r.str()
		case tagRerun:
			j.Rerun = int(r.varint())
		default:
			r.fail(fmt.Sprintf("tag %d (a newer abtop's record?)", tag))
		}
	}
	return j, r.err
}

// timeField is the Job's time a tag names; nil for another tag.
func timeField(j *Job, tag byte) *time.Time {
	switch tag {
	case tagEnqueued:
		return &j.Enqueued
	case tagUpdated:
		return &j.Updated
	case tagServerUpdated:
		return &j.ServerUpdated
	case tagFinished:
		return &j.Finished
	case tagCreated:
		return &j.Created
	}
	return nil
}
