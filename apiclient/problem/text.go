package problem

import (
	"bytes"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxExcerpt caps the Message of text, HTML and unreadable bodies, so a
// proxy's error page never floods a terminal.
const maxExcerpt = 200

// maxScan bounds how much of a text/HTML body is examined.
const maxScan = 64 << 10

// looksHTML reports whether a body is HTML, by Content-Type or by content.
func looksHTML(b []byte, ct string) bool {
	if strings.Contains(ct, "html") {
		return true
	}
	head := b
	if len(head) > 512 {
		head = head[:512]
	}
	lower := bytes.ToLower(head)
	return bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		bytes.HasPrefix(lower, []byte("<head")) || bytes.HasPrefix(lower, []byte("<body")) ||
		(len(lower) > 1 && lower[0] == '<' && bytes.Contains(lower, []byte("</")))
}

// textExcerpt cleans a plain-text body: invalid UTF-8 and control
// characters (terminal escapes included) removed, whitespace collapsed,
// cut at maxExcerpt runes.
func textExcerpt(b []byte) string {
	if len(b) > maxScan {
		b = b[:maxScan]
	}
	return clean(string(b))
}

// htmlExcerpt turns an error page into one short line: its <title>, then
// the first text of the page that is not a repeat of the title
// (nginx: "502 Bad Gateway: nginx"). Scripts, styles and comments are
// skipped; entities decoded.
func htmlExcerpt(b []byte) string {
	if len(b) > maxScan {
		b = b[:maxScan]
	}
	s := string(b)
	title := clean(html.UnescapeString(between(s, "<title", "</title>")))
	text := clean(html.UnescapeString(stripTags(s)))
	if title != "" {
		text = strings.TrimSpace(strings.TrimPrefix(text, title))
		// nginx repeats the title in an <h1>.
		text = strings.TrimSpace(strings.TrimPrefix(text, title))
	}
	switch {
	case title != "" && text != "":
		return cut(title + ": " + text)
	case title != "":
		return title
	}
	return cut(text)
}

// between returns the content of the first <tag …>…</tag> (case-insensitive).
func between(s, open, close string) string {
	lower := asciiLower(s)
	i := strings.Index(lower, open)
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(lower[i:], '>')
	if j < 0 {
		return ""
	}
	start := i + j + 1
	k := strings.Index(lower[start:], close)
	if k < 0 {
		return ""
	}
	return s[start : start+k]
}

// stripTags removes markup, keeping text. The <head> (title included) is
// dropped with scripts and styles: the title is read separately.
func stripTags(s string) string {
	lower := asciiLower(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		rest := lower[i:]
		skipTo := ""
		switch {
		case strings.HasPrefix(rest, "<!--"):
			skipTo = "-->"
		case strings.HasPrefix(rest, "<script"):
			skipTo = "</script>"
		case strings.HasPrefix(rest, "<style"):
			skipTo = "</style>"
		case strings.HasPrefix(rest, "<head"):
			skipTo = "</head>"
		case strings.HasPrefix(rest, "<title"):
			skipTo = "</title>"
		}
		if skipTo != "" {
			k := strings.Index(rest, skipTo)
			if k < 0 {
				break
			}
			i += k + len(skipTo)
			b.WriteByte(' ')
			continue
		}
		k := strings.IndexByte(rest, '>')
		if k < 0 {
			break
		}
		i += k + 1
		b.WriteByte(' ') // tags separate words: "<td>a</td><td>b</td>"
	}
	return b.String()
}

// clean makes s safe and short for one line of a terminal.
func clean(s string) string {
	s = stripANSI(strings.ToValidUTF8(s, ""))
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r) {
			continue // terminal escapes, bidi overrides: never shown
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
		if n > maxExcerpt {
			break
		}
	}
	return cut(b.String())
}

// cut shortens s to maxExcerpt runes, marking the cut with "…".
func cut(s string) string {
	if utf8.RuneCountInString(s) <= maxExcerpt {
		return s
	}
	n := 0
	for i := range s {
		if n == maxExcerpt-1 {
			return strings.TrimSpace(s[:i]) + "…"
		}
		n++
	}
	return s
}

// stripANSI removes terminal control sequences (CSI "ESC [ … final" and
// OSC "ESC ] … BEL/ST"), so a hostile body cannot restyle or retitle the
// user's terminal.
func stripANSI(s string) string {
	if !strings.ContainsRune(s, 0x1b) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '[':
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
		case ']':
			j := i + 2
			for j < len(s) && s[j] != 0x07 && !(s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\') {
				j++
			}
			if j < len(s) && s[j] == 0x1b {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return b.String()
}

// asciiLower lower-cases ASCII letters only. Unlike strings.ToLower it
// keeps every byte offset (invalid UTF-8 would otherwise grow into U+FFFD),
// so indexes found in the result are valid in the original.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
