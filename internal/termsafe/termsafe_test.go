package termsafe

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// Hostile is server text carrying every way to drive a terminal that the
// issue found: ESC, an OSC 8 hyperlink, an OSC 0 window title, CR,
// backspace, BEL, a C1 CSI and a byte that is not UTF-8.
const Hostile = "plan\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x1b]0;pwned\x07\rover\bwrite\u009b31m\xff"

// Raw reports the first raw control character in s ("" when none), other
// than newline and tab.
func raw(s string) string {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
			return strconv.QuoteRune(r)
		}
	}
	return ""
}

func TestWriterEscapesEveryControlCharacter(t *testing.T) {
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		w := New(&b)
		w.SetColor(color)
		w.Write([]byte("Plan: " + Hostile + "\n\tok ✓ 日本\n"))
		got := b.String()
		if strings.ContainsAny(got, "\x1b\x07\r\b\u009b") || !strings.Contains(got, "\tok ✓ 日本\n") {
			t.Errorf("color %t: %q", color, got)
		}
		if !strings.Contains(got, `\u001b]0;pwned\u0007\rover\bwrite`) {
			t.Errorf("color %t: escapes not readable: %q", color, got)
		}
	}
}

func TestWriterPassesOurColourOnlyWhenAsked(t *testing.T) {
	var b bytes.Buffer
	w := New(&b)
	w.Write([]byte("\x1b[1;32mok\x1b[0m"))
	if strings.Contains(b.String(), "\x1b") {
		t.Fatalf("colour off, yet SGR passed: %q", b.String())
	}
	b.Reset()
	w.SetColor(true)
	w.Write([]byte("\x1b[1;32mok\x1b[0m \x1b[2J"))
	if got := b.String(); got != "\x1b[1;32mok\x1b[0m \\u001b[2J" {
		t.Fatalf("colour on: %q; want SGR kept, erase escaped", got)
	}
	b.Reset()
	w.Control("\r\x1b[2K")
	if b.String() != "\r\x1b[2K" {
		t.Fatalf("Control: %q", b.String())
	}
}

// JSON written through a Writer stays valid JSON with the same values.
func TestWriterKeepsJSONValid(t *testing.T) {
	var b bytes.Buffer
	if err := json.NewEncoder(New(&b)).Encode(map[string]string{"plan": Hostile}); err != nil {
		t.Fatal(err)
	}
	var back map[string]string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("%v: %q", err, b.String())
	}
	if raw(b.String()) != "" {
		t.Fatalf("raw control in %q", b.String())
	}
	if want := strings.ToValidUTF8(Hostile, "\ufffd"); back["plan"] != want {
		t.Fatalf("value changed: %q, want %q", back["plan"], want)
	}
}

// A rune split across two writes is not mangled.
func TestWriterJoinsRunesSplitAcrossWrites(t *testing.T) {
	var b bytes.Buffer
	w := New(&b)
	s := []byte("日本")
	w.Write(s[:4])
	w.Write(s[4:])
	if b.String() != "日本" {
		t.Fatalf("%q", b.String())
	}
}

func FuzzWriterNeverPassesControls(f *testing.F) {
	f.Add(Hostile)
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		New(&b).Write([]byte(s))
		if r := raw(b.String()); r != "" {
			t.Fatalf("raw %q in %q", r, b.String())
		}
	})
}
