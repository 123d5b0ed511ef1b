// Package termsafe is the one way abtop's command-line output reaches a
// terminal. Every byte a command prints goes through a Writer, which shows
// control characters as escapes instead of passing them on: a server's
// plan name, model id or error detail carrying ESC, an OSC 8 hyperlink, an
// OSC 0 window title, CR or backspace is printed as text, never obeyed.
// No command has to remember to escape what it prints, so a new output
// path cannot forget to.
//
// The escapes are JSON's (\r, \b, \f, \u001b), so JSON output written
// through a Writer stays valid and means the same.
package termsafe

import (
	"fmt"
	"io"
	"sync"
	"unicode/utf8"
)

// Writer escapes control characters on their way to w. Newline and tab
// pass. With colour on, SGR sequences (ESC [ digits ; m: colour and weight
// only, they cannot move the cursor, erase, retitle or link) pass too, so
// styled output still works on a terminal. Safe for concurrent use.
type Writer struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
	carry []byte // an incomplete UTF-8 sequence at the end of the last Write
}

// New wraps w; colour starts off.
func New(w io.Writer) *Writer { return &Writer{w: w} }

// Underlying is the wrapped writer: for checks such as "is it a terminal",
// and for a full-screen program that escapes its own output.
func (w *Writer) Underlying() io.Writer { return w.w }

// SetColor lets SGR colour sequences through (a command decided its output
// is a colour terminal).
func (w *Writer) SetColor(on bool) {
	w.mu.Lock()
	w.color = on
	w.mu.Unlock()
}

// Control writes the program's own control sequence (a progress line's
// "\r\x1b[2K" redraw) unescaped. Never pass it text that came from
// anywhere but a constant in abtop.
func (w *Writer) Control(seq string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err := io.WriteString(w.w, seq)
	return err
}

// Write escapes p and writes it; it reports len(p) on success.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	in := p
	if len(w.carry) > 0 {
		in = append(w.carry, p...)
		w.carry = nil
	}
	// keep a rune cut in half by the caller's buffering for the next Write
	if cut := incompleteTail(in); cut > 0 {
		w.carry = append([]byte(nil), in[len(in)-cut:]...)
		in = in[:len(in)-cut]
	}
	if _, err := w.w.Write(escape(in, w.color)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// String escapes s as a Writer without colour would.
func String(s string) string { return string(escape([]byte(s), false)) }

func escape(p []byte, color bool) []byte {
	clean := true
	for _, c := range p {
		if c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return p
	}
	out := make([]byte, 0, len(p)+16)
	for i := 0; i < len(p); {
		c := p[i]
		if c == 0x1b && color {
			if n := sgrLen(p[i:]); n > 0 {
				out = append(out, p[i:i+n]...)
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRune(p[i:])
		switch {
		case r == '\n' || r == '\t':
			out = append(out, c)
		case r == '\r':
			out = append(out, `\r`...)
		case r == '\b':
			out = append(out, `\b`...)
		case r == '\f':
			out = append(out, `\f`...)
		case r == utf8.RuneError && size <= 1:
			// a byte that is not UTF-8: a terminal in an 8-bit mode could
			// read 0x9b as CSI
			out = append(out, `\ufffd`...)
		case r < 0x20 || r >= 0x7f && r <= 0x9f:
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, p[i:i+size]...)
		}
		i += size
	}
	return out
}

// sgrLen is the length of an SGR sequence (ESC [ [0-9;:]* m) at the start
// of p, or 0.
func sgrLen(p []byte) int {
	if len(p) < 3 || p[0] != 0x1b || p[1] != '[' {
		return 0
	}
	for i := 2; i < len(p) && i < 64; i++ {
		switch c := p[i]; {
		case c == 'm':
			return i + 1
		case c >= '0' && c <= '9' || c == ';' || c == ':':
		default:
			return 0
		}
	}
	return 0
}

// incompleteTail is how many bytes at the end of p start a UTF-8 sequence
// that p does not finish (0 when none).
func incompleteTail(p []byte) int {
	for n := 1; n <= 3 && n <= len(p); n++ {
		c := p[len(p)-n]
		if c < 0x80 {
			return 0
		}
		if c >= 0xc0 { // a leading byte: does the sequence fit?
			need := 2
			switch {
			case c >= 0xf0:
				need = 4
			case c >= 0xe0:
				need = 3
			}
			if need > n {
				return n
			}
			return 0
		}
	}
	return 0
}
