package results

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"text/template"
	"unicode/utf8"
)

// ManifestName is the manifest's file name inside the output directory;
// no output file may take it.
const ManifestName = "manifest.jsonl"

// DefaultName is the layout without --name: DIR/<line>-<model>-<n>.<ext>.
const DefaultName = "{{.Line}}-{{.Model}}-{{.N}}.{{.Ext}}"

// NameFields are what a --name template may use. Model and JobID are
// already sanitized (server and user text never reach a path unfiltered);
// N counts a job's files from 1 in output order (images, video, audio);
// Ext has no dot.
type NameFields struct {
	Line  int
	Model string
	N     int
	Ext   string
	JobID string
	Key   string
}

// Namer turns a file's fields into a path relative to the output
// directory, confined to it.
type Namer struct {
	tmpl *template.Template
	text string
}

// ParseName checks a --name template ("" is DefaultName): it must parse,
// use only NameFields, and give a relative path inside the directory for
// sample fields. Each name is checked again when it is made.
func ParseName(text string) (*Namer, error) {
	if text == "" {
		text = DefaultName
	}
	t, err := template.New("name").Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("--name %q: %w", text, err)
	}
	n := &Namer{tmpl: t, text: text}
	if _, err := n.Name(NameFields{Line: 1, Model: "model", N: 1, Ext: "png", JobID: "job_1", Key: "key"}); err != nil {
		return nil, err
	}
	return n, nil
}

// Name executes the template and refuses a result that is empty,
// absolute, climbs with "..", holds a backslash, a control character or
// invalid UTF-8, or names the manifest.
func (n *Namer) Name(f NameFields) (string, error) {
	b := &capped{max: maxName}
	if err := n.tmpl.Execute(b, f); err != nil {
		return "", fmt.Errorf("--name %q: %w", n.text, err)
	}
	name := b.String()
	if err := checkName(name); err != nil {
		return "", fmt.Errorf("--name %q gives %q: %w", n.text, name, err)
	}
	return filepath.FromSlash(name), nil
}

// maxName bounds a made name (file systems stop at 4096 bytes of path;
// a template looping over a range must not fill memory first).
const maxName = 1024

// capped is a strings.Builder that refuses to grow past max.
type capped struct {
	strings.Builder
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if c.Len()+len(p) > c.max {
		return 0, fmt.Errorf("the name is longer than %d bytes", c.max)
	}
	return c.Builder.Write(p)
}

func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("an empty name")
	case !utf8.ValidString(name):
		return errors.New("not valid UTF-8")
	case strings.ContainsAny(name, `\:`):
		return errors.New(`a backslash or colon (not portable, and a path separator or drive on Windows)`)
	case strings.HasPrefix(name, "/") || filepath.IsAbs(name):
		return errors.New("an absolute path: names are relative to the output directory")
	case strings.HasSuffix(name, "/"):
		return errors.New("a directory, not a file name")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return errors.New("a control character")
		}
	}
	for _, part := range strings.Split(name, "/") {
		switch {
		case part == "..":
			return errors.New(`".." would leave the output directory`)
		case part == "" || part == ".":
			return errors.New("an empty path element")
		case strings.HasPrefix(part, "."):
			return errors.New("a hidden name (temporary files start with a dot)")
		}
	}
	if !filepath.IsLocal(filepath.FromSlash(name)) {
		return errors.New("not a path inside the output directory")
	}
	if name == ManifestName {
		return errors.New("the manifest's own name")
	}
	return nil
}

// maxModelName bounds a model's part of a file name.
const maxModelName = 64

// SafePart makes server or user text (a model name, a job id) fit to be
// one path element: ASCII letters, digits, '.', '_' and '-' kept, anything
// else (a '/', a control character) becomes '_', no leading dot, no "..",
// at most 64 bytes, never empty.
func SafePart(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= maxModelName {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		case r == '.' && b.Len() > 0:
			if s := b.String(); s[len(s)-1] != '.' { // no "..", even inside a name
				b.WriteRune(r)
			}
		default:
			b.WriteByte('_')
		}
	}
	out := strings.TrimRight(b.String(), ".")
	if out == "" {
		return "unnamed"
	}
	return out
}
