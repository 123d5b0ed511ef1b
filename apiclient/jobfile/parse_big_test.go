package jobfile

import (
	"bytes"
	"fmt"
	"testing"
)

func bigFile(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"model":"flux-schnell","input":{"prompt":"a lighthouse at dusk, take %d","seed":%d}}`+"\n", i, i)
	}
	return b.Bytes()
}

// Entries are checked straight from the reader's buffer: every job's input
// must be its own copy, whole, after the buffer moved on many times.
func TestParseKeepsEachInputPastTheBuffer(t *testing.T) {
	const n = 5000 // ~450 KB: the 64 KB buffer is refilled ~7 times
	jobs, probs, err := Parse(bytes.NewReader(bigFile(n)), testModels)
	if err != nil || len(probs) != 0 || len(jobs) != n {
		t.Fatalf("%d jobs, problems %v, err %v", len(jobs), probs, err)
	}
	for i, j := range jobs {
		if want := fmt.Sprintf(`{"prompt":"a lighthouse at dusk, take %d","seed":%d}`, i, i); string(j.Input) != want || j.Line != i+1 {
			t.Fatalf("line %d: input %s, want %s", j.Line, j.Input, want)
		}
	}
}

// BenchmarkParse reads a 100,000-line file (issue 12's big batch):
//
//	go test -run '^$' -bench BenchmarkParse -benchmem ./apiclient/jobfile/
func BenchmarkParse(b *testing.B) {
	data := bigFile(100000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := Parse(bytes.NewReader(data), testModels); err != nil {
			b.Fatal(err)
		}
	}
}
