package queue

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"
)

// recordReader reads a binary record's values (codec.go); the first
// error sticks and every later read returns zero.
type recordReader struct {
	b   []byte
	err error
}

func (r *recordReader) fail(what string) {
	if r.err == nil {
		r.err = errors.New("bad record: " + what)
	}
	r.b = nil
}

func (r *recordReader) byte() byte {
	if len(r.b) == 0 {
		r.fail("short")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *recordReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recordReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes returns a copy: bbolt's values live only as long as the read.
func (r *recordReader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail("length")
		return nil
	}
	out := append([]byte(nil), r.b[:n]...)
	r.b = r.b[n:]
	return out
}

func (r *recordReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail("length")
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *recordReader) float() float64 {
	s := r.str()
	if r.err != nil {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		r.fail("number")
	}
	return f
}

func (r *recordReader) json(v any) {
	b := r.bytes()
	if r.err == nil {
		if err := json.Unmarshal(b, v); err != nil {
			r.fail("json: " + err.Error())
		}
	}
}

func (r *recordReader) output() OutputMeta {
	o := OutputMeta{Slot: r.word(), ContentType: r.word()}
	o.Index = int(r.varint())
	o.SizeBytes = r.varint()
	switch r.byte() {
	case 1:
		if len(r.b) < 32 {
			r.fail("sha256")
			return o
		}
		o.SHA256 = hexString(r.b[:32])
		r.b = r.b[32:]
	case 0:
		o.SHA256 = r.str()
	default:
		r.fail("sha256 kind")
	}
	return o
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

// word is a string of appendOutput: an index into outputWords (odd) or a
// length (even) and the bytes.
func (r *recordReader) word() string {
	n := r.uvarint()
	if n&1 == 1 {
		if n>>1 >= uint64(len(outputWords)) {
			r.fail("output word")
			return ""
		}
		return outputWords[n>>1]
	}
	n >>= 1
	if n > uint64(len(r.b)) {
		r.fail("length")
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
