package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/abtop-dev/abtop/apiclient"
)

// inputJob is one parsed entry of a submit file.
type inputJob struct {
	Line  int
	Model string
	Input json.RawMessage
	Cost  float64
}

// inputProblem is one bad entry, by line.
type inputProblem struct {
	Line int
	Msg  string
}

func (p inputProblem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// maxSubmitLine bounds one JSON Lines entry (an input is a prompt and a few
// fields; 1 MiB is generous).
const maxSubmitLine = 1 << 20

// parseSubmit reads JSON Lines of {"model":…,"input":{…}}, or one JSON
// array of them, and checks every entry against the models the API offers.
// It reports every bad entry, never only the first.
func parseSubmit(r io.Reader, models []apiclient.Model) ([]inputJob, []inputProblem, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<30))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the jobs: %w", err)
	}
	known := map[string]apiclient.Model{}
	var names []string
	for _, m := range models {
		known[m.ID] = m
		names = append(names, m.ID)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	var entries []rawEntry
	var probs []inputProblem
	if bytes.HasPrefix(trimmed, []byte("[")) {
		entries, probs = splitArray(data)
	} else {
		entries, probs = splitLines(data)
	}
	var jobs []inputJob
	for _, e := range entries {
		j, msg := checkEntry(e, known, names)
		if msg != "" {
			probs = append(probs, inputProblem{Line: e.line, Msg: msg})
			continue
		}
		jobs = append(jobs, j)
	}
	sortProblems(probs)
	return jobs, probs, nil
}

type rawEntry struct {
	line int
	data json.RawMessage
}

func splitLines(data []byte) ([]rawEntry, []inputProblem) {
	var out []rawEntry
	var probs []inputProblem
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxSubmitLine)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\ufeff"))
		}
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		if !json.Valid(text) {
			var v any
			err := json.Unmarshal(text, &v)
			probs = append(probs, inputProblem{Line: line, Msg: "not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")})
			continue
		}
		out = append(out, rawEntry{line: line, data: append(json.RawMessage(nil), text...)})
	}
	if err := sc.Err(); err != nil {
		probs = append(probs, inputProblem{Line: line + 1, Msg: fmt.Sprintf("cannot read the line: %v (a line may be at most %d bytes)", err, maxSubmitLine)})
	}
	return out, probs
}

// splitArray reads a JSON array, keeping each element's line number.
func splitArray(data []byte) ([]rawEntry, []inputProblem) {
	dec := json.NewDecoder(bytes.NewReader(data))
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	if _, err := dec.Token(); err != nil { // [
		return nil, []inputProblem{{Line: 1, Msg: "not valid JSON: " + err.Error()}}
	}
	var out []rawEntry
	for dec.More() {
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			at := start
			var se *json.SyntaxError
			if errors.As(err, &se) {
				at = se.Offset - 1 // where the parser choked
			}
			return out, []inputProblem{{Line: lineAt(at), Msg: "not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}}
		}
		// InputOffset points before the whitespace/comma preceding the
		// element; the element starts at its first non-space byte.
		off := start
		for off < int64(len(data)) && strings.ContainsRune(" \t\r\n,", rune(data[off])) {
			off++
		}
		out = append(out, rawEntry{line: lineAt(off), data: raw})
	}
	if _, err := dec.Token(); err != nil {
		return out, []inputProblem{{Line: lineAt(dec.InputOffset()), Msg: "the JSON array is not closed: " + err.Error()}}
	}
	// Anything after the array would otherwise be dropped unseen.
	rest := dec.InputOffset()
	for rest < int64(len(data)) && strings.ContainsRune(" \t\r\n", rune(data[rest])) {
		rest++
	}
	if rest < int64(len(data)) {
		return out, []inputProblem{{Line: lineAt(rest), Msg: "text after the closing ] of the JSON array (give one array, or JSON Lines)"}}
	}
	return out, nil
}

func checkEntry(e rawEntry, known map[string]apiclient.Model, names []string) (inputJob, string) {
	var v struct {
		Model *string         `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(e.data, &v); err != nil {
		return inputJob{}, `want an object {"model": …, "input": {…}}`
	}
	if v.Model == nil || *v.Model == "" {
		return inputJob{}, `"model" is missing`
	}
	m, ok := known[*v.Model]
	if !ok {
		return inputJob{}, fmt.Sprintf("unknown model %q (the API offers %s)", *v.Model, strings.Join(names, ", "))
	}
	in := bytes.TrimSpace(v.Input)
	if len(in) == 0 || bytes.Equal(in, []byte("null")) {
		return inputJob{}, `"input" is missing`
	}
	if in[0] != '{' {
		return inputJob{}, `"input" must be an object`
	}
	return inputJob{Line: e.line, Model: m.ID, Input: json.RawMessage(in), Cost: m.Credits}, ""
}

func sortProblems(ps []inputProblem) {
	for i := 1; i < len(ps); i++ {
		for k := i; k > 0 && ps[k].Line < ps[k-1].Line; k-- {
			ps[k], ps[k-1] = ps[k-1], ps[k]
		}
	}
}
