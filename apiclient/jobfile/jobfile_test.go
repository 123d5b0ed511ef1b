package jobfile

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/apiclient"
)

var testModels = []apiclient.Model{{ID: "flux-schnell", Kind: "image", Credits: 1}, {ID: "veo-3.1", Kind: "video", Credits: 40}}

const okLine = `{"model":"flux-schnell","input":{"prompt":"ok"}}`

// Issue 4 item 3: JSON Lines or a JSON array; every bad line reported with
// its line number. Issue 11 item 2: a line of any length is a job or a
// reported problem, never the end of the file.
func TestParse(t *testing.T) {
	long := `{"model":"flux-schnell","input":{"prompt":"` + strings.Repeat("x", 2<<20) + `"}}`
	tests := []struct {
		name     string
		in       string
		wantJobs []int    // line numbers of the accepted jobs
		wantBad  []string // "line N: …" prefixes
	}{
		{"JSON Lines", "{\"model\":\"flux-schnell\",\"input\":{\"prompt\":\"a\"}}\n\n{\"model\":\"veo-3.1\",\"input\":{\"prompt\":\"b\"}}\n", []int{1, 3}, nil},
		{"byte order mark and CRLF", "\ufeff{\"model\":\"flux-schnell\",\"input\":{}}\r\n", []int{1}, nil},
		{"no final newline", okLine + "\n" + okLine, []int{1, 2}, nil},
		{"comments are skipped", "# a batch\n" + okLine + "\n", []int{2}, nil},
		{"every bad line, in order", strings.Join([]string{
			okLine,
			`{"model":"nope","input":{}}`,
			`{"model":"flux-schnell"}`,
			`not json`,
			`{"input":{}}`,
			`{"model":"flux-schnell","input":"text"}`,
			`[1,2]`,
		}, "\n"), []int{1}, []string{"line 2: unknown model", "line 3: \"input\" is missing", "line 4: not valid JSON", "line 5: \"model\" is missing", "line 6: \"input\" must be an object", "line 7: want an object"}},
		{"a 2 MB line among valid lines", strings.Join([]string{okLine, long, okLine, okLine}, "\n") + "\n", []int{1, 3, 4}, []string{"line 2: the line is too long"}},
		{"a 2 MB last line without newline", okLine + "\n" + long, []int{1}, []string{"line 2: the line is too long"}},
		{"a 2 MB first line", long + "\r\n" + okLine + "\r\n", []int{2}, []string{"line 1: the line is too long"}},
		{"exactly MaxLine is accepted", okLine + "\n" + exactLine(MaxLine) + "\r\n" + okLine, []int{1, 2, 3}, nil},
		{"one byte over MaxLine is not", exactLine(MaxLine+1) + "\n" + okLine, []int{2}, []string{"line 1: the line is too long"}},
		{"JSON array with line numbers", "[\n  {\"model\":\"flux-schnell\",\"input\":{}},\n  {\"model\":\"x\",\"input\":{}}\n]\n", []int{2}, []string{"line 3: unknown model"}},
		{"JSON array after blank lines", "\n\n  [{\"model\":\"flux-schnell\",\"input\":{}}]", []int{3}, nil},
		{"broken JSON array", "[\n {\"model\":\"flux-schnell\",\"input\":{}},\n {\"model\": }\n]", []int{2}, []string{"line 3: not valid JSON"}},
		{"text after the JSON array is reported, not dropped", "[\n {\"model\":\"flux-schnell\",\"input\":{}}\n]\n{\"model\":\"flux-schnell\",\"input\":{}}\n", []int{2}, []string{"line 4: "}},
		{"empty input", "", nil, nil},
		{"only blank lines", "\n\n  \n", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			jobs, probs, err := Parse(strings.NewReader(tc.in), testModels)
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, j := range jobs {
				lines = append(lines, j.Line)
			}
			if len(lines) != len(tc.wantJobs) {
				t.Fatalf("jobs at lines %v, want %v (problems %v)", lines, tc.wantJobs, probs)
			}
			for i := range lines {
				if lines[i] != tc.wantJobs[i] {
					t.Fatalf("jobs at lines %v, want %v", lines, tc.wantJobs)
				}
			}
			if len(probs) != len(tc.wantBad) {
				t.Fatalf("problems %v, want %v", probs, tc.wantBad)
			}
			for i, p := range probs {
				if !strings.HasPrefix(p.String(), tc.wantBad[i]) {
					t.Errorf("problem %d = %q, want prefix %q", i, p, tc.wantBad[i])
				}
			}
		})
	}
}

// exactLine is a valid job line of exactly n bytes.
func exactLine(n int) string {
	head, tail := `{"model":"flux-schnell","input":{"prompt":"`, `"}}`
	return head + strings.Repeat("y", n-len(head)-len(tail)) + tail
}

func TestParseKeepsCost(t *testing.T) {
	jobs, _, _ := Parse(strings.NewReader(`{"model":"veo-3.1","input":{"prompt":"x"}}`), testModels)
	if len(jobs) != 1 || jobs[0].Credits != 40 || string(jobs[0].Input) != `{"prompt":"x"}` {
		t.Fatalf("got %+v", jobs)
	}
}

type failingReader struct{ r io.Reader }

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// A read that fails is an error, not a short file.
func TestParseReadError(t *testing.T) {
	_, _, err := Parse(failingReader{strings.NewReader(okLine + "\n")}, testModels)
	if err == nil {
		t.Fatal("a failed read was taken for the end of the file")
	}
}

// A too-long line is skipped without being held: parsing a 64 MB line
// allocates far less than the line.
func TestParseLongLineIsNotHeld(t *testing.T) {
	const size = 64 << 20
	r := io.MultiReader(strings.NewReader(`{"model":"flux-schnell","input":{"prompt":"`), io.LimitReader(zeroes{}, size), strings.NewReader("\"}}\n"+okLine+"\n"))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	jobs, probs, err := Parse(r, testModels)
	runtime.ReadMemStats(&after)
	if err != nil || len(jobs) != 1 || len(probs) != 1 {
		t.Fatalf("jobs %v, problems %v, err %v", jobs, probs, err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Fatalf("parsing a %d-byte line allocated %d bytes: the line was held", size, grew)
	}
}

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'z'
	}
	return len(p), nil
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(okLine + "\n" + `{"model":"nope"}`))
	f.Add([]byte("[\n" + okLine + "\n]"))
	f.Add([]byte("\ufeff# c\n\r\n[1]"))
	f.Fuzz(func(t *testing.T, in []byte) {
		jobs, probs, err := Parse(bytes.NewReader(in), testModels)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(in, []byte("\n")) + 1
		for _, j := range jobs {
			if j.Line < 1 || j.Line > lines || j.Model == "" || len(j.Input) == 0 || j.Input[0] != '{' {
				t.Fatalf("bad job %+v", j)
			}
		}
		for i, p := range probs {
			if p.Line < 1 || p.Line > lines+1 || p.Msg == "" {
				t.Fatalf("bad problem %+v", p)
			}
			if i > 0 && probs[i-1].Line > p.Line {
				t.Fatalf("problems out of order: %v", probs)
			}
		}
	})
}
