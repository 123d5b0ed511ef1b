// Package jobfile reads a batch of jobs: JSON Lines of
// {"model": …, "input": {…}}, or one JSON array of them, checked against
// the models the API offers. "abtop submit" and the dashboard's file loader
// both read files through it, so a file is judged the same way everywhere.
//
// Every entry is either a job or a reported problem with its line number;
// nothing ends the file early. JSON Lines are read one line at a time with
// bounded memory: a line longer than MaxLine is reported without being held.
package jobfile

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/abtop-dev/abtop/apiclient"
)

// Job is one accepted entry.
type Job struct {
	Line    int // 1-based line of the entry's first byte
	Model   string
	Input   json.RawMessage
	Credits float64 // the model's price per job, from /v1/models
}

// Problem is one bad entry, by line.
type Problem struct {
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// MaxLine bounds one JSON Lines entry (an input is a prompt and a few
// fields; 1 MiB is generous). A longer line is a Problem, not an error.
const MaxLine = 1 << 20

// maxArray bounds a file given as one JSON array, which must be read whole
// to be split by element.
const maxArray = 1 << 30

// Parse reads r and checks every entry against models. It reports every
// bad entry, in line order, never only the first; the error is for a
// failed read only.
func Parse(r io.Reader, models []apiclient.Model) ([]Job, []Problem, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	c := newChecker(models)
	var jobs []Job
	var probs []Problem
	// Each entry is checked as it is read, and only its input is kept: a
	// 100,000-line file is not held a second time as raw lines.
	emit := func(e rawEntry) {
		j, msg := c.check(e)
		if msg != "" {
			probs = append(probs, Problem{Line: e.line, Msg: msg})
			return
		}
		jobs = append(jobs, j)
	}
	var read []Problem
	var err error
	if isArray(br) {
		read, err = readArray(br, emit)
	} else {
		read, err = readLines(br, MaxLine, emit)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading the jobs: %w", err)
	}
	probs = append(probs, read...)
	sortProblems(probs)
	return jobs, probs, nil
}

type rawEntry struct {
	line int
	data json.RawMessage
}

// isArray peeks at the first non-blank byte (within the reader's buffer).
func isArray(br *bufio.Reader) bool {
	head, _ := br.Peek(br.Size())
	head = bytes.TrimLeft(head, " \t\r\n")
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	head = bytes.TrimLeft(head, " \t\r\n")
	return len(head) > 0 && head[0] == '['
}

// readLines splits JSON Lines and hands each entry to emit (its data is
// valid only during the call); blank lines and lines starting with # are
// skipped.
func readLines(br *bufio.Reader, maxLine int, emit func(rawEntry)) ([]Problem, error) {
	var probs []Problem
	for line := 1; ; line++ {
		text, size, err := readLine(br, maxLine)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if size == 0 && errors.Is(err, io.EOF) {
			return probs, nil
		}
		switch {
		case text == nil && size > 0:
			probs = append(probs, Problem{Line: line, Msg: fmt.Sprintf("the line is too long (%d bytes; a line may be at most %d)", size, maxLine)})
		default:
			text = bytes.TrimSpace(text)
			if line == 1 {
				text = bytes.TrimPrefix(text, []byte("\ufeff"))
			}
			if len(text) == 0 || text[0] == '#' {
				break
			}
			if !json.Valid(text) {
				var v any
				uerr := json.Unmarshal(text, &v)
				probs = append(probs, Problem{Line: line, Msg: "not valid JSON: " + strings.TrimPrefix(uerr.Error(), "json: ")})
				break
			}
			emit(rawEntry{line: line, data: text})
		}
		if errors.Is(err, io.EOF) {
			return probs, nil
		}
	}
}

// readLine returns the next line without its newline and its size in bytes
// as read. A line whose content exceeds maxLine comes back as nil text with
// its full size: it is read to its end but never held, so a multi-gigabyte
// line costs no more memory than a short one. err is io.EOF at the last
// line (size 0 when there was nothing left). A line that fits the
// reader's buffer comes back as that buffer (valid until the next read).
func readLine(br *bufio.Reader, maxLine int) (text []byte, size int64, err error) {
	var buf []byte
	tooLong := false
	for {
		frag, err := br.ReadSlice('\n')
		size += int64(len(frag))
		if size == int64(len(frag)) && !errors.Is(err, bufio.ErrBufferFull) {
			if len(bytes.TrimRight(frag, "\r\n")) > maxLine {
				return nil, size, err
			}
			return bytes.TrimRight(frag, "\r\n"), size, err // the whole line in one read
		}
		if !tooLong {
			// the limit is on content: a trailing \r\n is not counted
			if len(buf)+len(bytes.TrimRight(frag, "\r\n")) > maxLine {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, frag...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if tooLong {
			return nil, size, err
		}
		if buf == nil {
			buf = []byte{}
		}
		return bytes.TrimRight(buf, "\r\n"), size, err
	}
}

// readArray reads one JSON array and hands each element, with its line
// number, to emit.
func readArray(r io.Reader, emit func(rawEntry)) ([]Problem, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxArray))
	if err != nil {
		return nil, err
	}
	out, probs := splitArray(data)
	for _, e := range out {
		emit(e)
	}
	return probs, nil
}

// splitArray splits a JSON array held in data by element.
func splitArray(data []byte) ([]rawEntry, []Problem) {
	dec := json.NewDecoder(bytes.NewReader(data))
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	if _, err := dec.Token(); err != nil { // [
		return nil, []Problem{{Line: 1, Msg: "not valid JSON: " + err.Error()}}
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
			return out, []Problem{{Line: lineAt(at), Msg: "not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}}
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
		return out, []Problem{{Line: lineAt(dec.InputOffset()), Msg: "the JSON array is not closed: " + err.Error()}}
	}
	// Anything after the array would otherwise be dropped unseen.
	rest := dec.InputOffset()
	for rest < int64(len(data)) && strings.ContainsRune(" \t\r\n", rune(data[rest])) {
		rest++
	}
	if rest < int64(len(data)) {
		return out, []Problem{{Line: lineAt(rest), Msg: "text after the closing ] of the JSON array (give one array, or JSON Lines)"}}
	}
	return out, nil
}

// checker judges entries against the API's model list.
type checker struct {
	known map[string]apiclient.Model
	names string
}

func newChecker(models []apiclient.Model) checker {
	c := checker{known: map[string]apiclient.Model{}}
	names := make([]string, 0, len(models))
	for _, m := range models {
		c.known[m.ID] = m
		names = append(names, m.ID)
	}
	c.names = strings.Join(names, ", ")
	return c
}

func (c checker) check(e rawEntry) (Job, string) {
	var v struct {
		Model *string         `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(e.data, &v); err != nil {
		return Job{}, `want an object {"model": …, "input": {…}}`
	}
	if v.Model == nil || *v.Model == "" {
		return Job{}, `"model" is missing`
	}
	m, ok := c.known[*v.Model]
	if !ok {
		return Job{}, fmt.Sprintf("unknown model %q (the API offers %s)", *v.Model, c.names)
	}
	in := bytes.TrimSpace(v.Input)
	if len(in) == 0 || bytes.Equal(in, []byte("null")) {
		return Job{}, `"input" is missing`
	}
	if in[0] != '{' {
		return Job{}, `"input" must be an object`
	}
	return Job{Line: e.line, Model: m.ID, Input: json.RawMessage(in), Credits: m.Credits}, ""
}

// sortProblems orders problems by line, keeping the order of a line's own.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
}
