package main

import (
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/apiclient"
)

var testModels = []apiclient.Model{{ID: "flux-schnell", Kind: "image", Credits: 1}, {ID: "veo-3.1", Kind: "video", Credits: 40}}

// Issue 4 item 3: JSON Lines or a JSON array; every bad line reported with
// its line number.
func TestParseSubmit(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantJobs []int    // line numbers of the accepted jobs
		wantBad  []string // "line N: …" prefixes
	}{
		{"JSON Lines", "{\"model\":\"flux-schnell\",\"input\":{\"prompt\":\"a\"}}\n\n{\"model\":\"veo-3.1\",\"input\":{\"prompt\":\"b\"}}\n", []int{1, 3}, nil},
		{"byte order mark and CRLF", "\ufeff{\"model\":\"flux-schnell\",\"input\":{}}\r\n", []int{1}, nil},
		{"every bad line, in order", strings.Join([]string{
			`{"model":"flux-schnell","input":{"prompt":"ok"}}`,
			`{"model":"nope","input":{}}`,
			`{"model":"flux-schnell"}`,
			`not json`,
			`{"input":{}}`,
			`{"model":"flux-schnell","input":"text"}`,
			`[1,2]`,
		}, "\n"), []int{1}, []string{"line 2: unknown model", "line 3: \"input\" is missing", "line 4: not valid JSON", "line 5: \"model\" is missing", "line 6: \"input\" must be an object", "line 7: want an object"}},
		{"JSON array with line numbers", "[\n  {\"model\":\"flux-schnell\",\"input\":{}},\n  {\"model\":\"x\",\"input\":{}}\n]\n", []int{2}, []string{"line 3: unknown model"}},
		{"broken JSON array", "[\n {\"model\":\"flux-schnell\",\"input\":{}},\n {\"model\": }\n]", []int{2}, []string{"line 3: not valid JSON"}},
		{"text after the JSON array is reported, not dropped", "[\n {\"model\":\"flux-schnell\",\"input\":{}}\n]\n{\"model\":\"flux-schnell\",\"input\":{}}\n", []int{2}, []string{"line 4: "}},
		{"empty input", "", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			jobs, probs, err := parseSubmit(strings.NewReader(tc.in), testModels)
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

func TestParseSubmitKeepsCost(t *testing.T) {
	jobs, _, _ := parseSubmit(strings.NewReader(`{"model":"veo-3.1","input":{"prompt":"x"}}`), testModels)
	if len(jobs) != 1 || jobs[0].Cost != 40 || string(jobs[0].Input) != `{"prompt":"x"}` {
		t.Fatalf("got %+v", jobs)
	}
}
