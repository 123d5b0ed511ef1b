package inspect

import (
	"bytes"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"unicode/utf8"
)

// rawResponse is one HTTP response as curl -si prints it, before any
// meaning is given to its headers.
type rawResponse struct {
	Proto  string // "HTTP/1.1", "HTTP/2", …
	Status int
	Reason string
	Header http.Header
	Body   []byte
	// Notes are problems with the framing itself (lines that are not
	// headers, a body shorter than Content-Length, …).
	Notes []string
	// Skipped counts earlier responses in the input (100 Continue, a proxy's
	// "200 Connection established", redirects) that were passed over.
	Skipped int
}

// splitResponse frames raw into its last HTTP response. It errors only when
// the input does not start with an HTTP status line at all.
func splitResponse(raw []byte) (rawResponse, error) {
	rest := bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // a BOM from an editor
	rest = trimLeadingBlankLines(rest)
	if len(bytes.TrimSpace(rest)) == 0 {
		return rawResponse{}, fmt.Errorf("empty input: expected an HTTP response as printed by curl -si")
	}
	first, _ := nextLine(rest)
	if _, _, _, err := parseStatusLine(first); err != nil {
		return rawResponse{}, withHint(first, err)
	}
	var r rawResponse
	skipped := 0
	for {
		line, after := nextLine(rest)
		proto, status, reason, err := parseStatusLine(line)
		if err != nil { // cannot happen for the first; checked by the loop below
			return rawResponse{}, err
		}
		r = rawResponse{Proto: proto, Status: status, Reason: reason, Header: http.Header{}, Skipped: skipped}
		body, complete := r.readHeaders(after)
		if !complete {
			r.Notes = append(r.Notes, "the header block does not end with an empty line: the response looks cut off")
		}
		// curl prints the headers of every response it received; a new
		// status line right after a header block is the next response.
		next := trimLeadingBlankLines(body)
		if l, _ := nextLine(next); len(next) > 0 && isStatusLine(l) {
			rest = next
			skipped++
			continue
		}
		r.Body = body
		r.checkBody()
		return r, nil
	}
}

// readHeaders reads header lines from b up to the empty line and returns
// the body after it; complete is false when no empty line was found.
func (r *rawResponse) readHeaders(b []byte) (body []byte, complete bool) {
	lineNo := 1
	var last string // canonical name of the previous header, for continuations
	for len(b) > 0 {
		line, after := nextLine(b)
		lineNo++
		if line == "" {
			return after, true
		}
		b = after
		if line[0] == ' ' || line[0] == '\t' {
			// obs-fold (RFC 9112 §5.2): a continuation of the previous value.
			if last != "" {
				vs := r.Header[last]
				vs[len(vs)-1] += " " + strings.TrimSpace(line)
				continue
			}
			r.Notes = append(r.Notes, fmt.Sprintf("line %d: %s is not a header — ignored", lineNo, quote(line)))
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || !validHeaderName(name) {
			r.Notes = append(r.Notes, fmt.Sprintf("line %d: %s is not a header — ignored", lineNo, quote(line)))
			last = ""
			continue
		}
		last = textproto.CanonicalMIMEHeaderKey(name)
		r.Header[last] = append(r.Header[last], strings.TrimSpace(value))
	}
	return nil, false
}

// checkBody notes a body that disagrees with Content-Length or is encoded
// in a way curl did not undo. It never rejects the response.
func (r *rawResponse) checkBody() {
	if cls := r.Header.Values("Content-Length"); len(cls) > 0 {
		n, err := strconv.ParseInt(strings.TrimSpace(cls[0]), 10, 64)
		switch {
		case err != nil || n < 0:
			r.Notes = append(r.Notes, fmt.Sprintf("Content-Length: %s is not a byte count — ignored", quote(cls[0])))
		case int64(len(r.Body)) < n:
			r.Notes = append(r.Notes, fmt.Sprintf("the body is %d bytes but Content-Length says %d: it looks truncated", len(r.Body), n))
		case int64(len(r.Body)) > n:
			// Trailing newlines added by a shell or an editor are not worth a word.
			if int64(len(bytes.TrimRight(r.Body, "\r\n"))) > n {
				r.Notes = append(r.Notes, fmt.Sprintf("the body is %d bytes but Content-Length says %d: extra data after the body", len(r.Body), n))
			}
			r.Body = r.Body[:n]
		}
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") && len(r.Body) > 0 && !utf8.Valid(r.Body) {
		r.Notes = append(r.Notes, fmt.Sprintf("the body is %s-compressed and was not decoded (use curl --compressed)", ce))
	}
}

// parseStatusLine reads "HTTP/1.1 200 OK", "HTTP/2 429", "HTTP/1.0 503 …".
func parseStatusLine(line string) (proto string, status int, reason string, err error) {
	if !strings.HasPrefix(line, "HTTP/") {
		return "", 0, "", fmt.Errorf("not an HTTP response: the first line %s is not a status line like \"HTTP/1.1 200 OK\"", quote(line))
	}
	proto, rest, _ := strings.Cut(line, " ")
	if !validProto(proto) {
		return "", 0, "", fmt.Errorf("not an HTTP response: %s in the status line %s is not an HTTP version", quote(proto), quote(line))
	}
	rest = strings.TrimLeft(rest, " ")
	code, reason, _ := strings.Cut(rest, " ")
	n, convErr := strconv.Atoi(code)
	if convErr != nil || len(code) != 3 || n < 100 {
		return "", 0, "", fmt.Errorf("not an HTTP response: the status line %s has no 3-digit status code", quote(line))
	}
	return proto, n, strings.TrimSpace(reason), nil
}

// withHint adds what the first line looks like when it is a common mistake.
func withHint(first string, err error) error {
	switch {
	case strings.HasPrefix(first, "* ") || strings.HasPrefix(first, "> ") || strings.HasPrefix(first, "< "):
		return fmt.Errorf("%w (this looks like curl -v output; save the response with curl -si instead)", err)
	case strings.HasSuffix(first, " HTTP/1.1") || strings.HasSuffix(first, " HTTP/1.0") || strings.HasSuffix(first, " HTTP/2"):
		return fmt.Errorf("%w (this looks like a request, not a response)", err)
	case strings.HasPrefix(first, "{") || strings.HasPrefix(first, "["):
		return fmt.Errorf("%w (this looks like a body without headers; use curl -si to include them)", err)
	}
	return err
}

func isStatusLine(line string) bool {
	_, _, _, err := parseStatusLine(line)
	return err == nil
}

// validProto accepts HTTP/1.0, HTTP/1.1, HTTP/2, HTTP/2.0, HTTP/3.
func validProto(p string) bool {
	v, ok := strings.CutPrefix(p, "HTTP/")
	if !ok || v == "" {
		return false
	}
	major, minor, hasMinor := strings.Cut(v, ".")
	if len(major) != 1 || major[0] < '0' || major[0] > '9' {
		return false
	}
	return !hasMinor || (len(minor) == 1 && minor[0] >= '0' && minor[0] <= '9')
}

// validHeaderName accepts RFC 9110 token characters only.
func validHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// nextLine splits b at the first LF, dropping a CR before it.
func nextLine(b []byte) (line string, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return strings.TrimSuffix(string(b), "\r"), nil
	}
	return strings.TrimSuffix(string(b[:i]), "\r"), b[i+1:]
}

func trimLeadingBlankLines(b []byte) []byte {
	for {
		line, rest := nextLine(b)
		if len(b) == 0 || strings.TrimSpace(line) != "" {
			return b
		}
		b = rest
	}
}

// quote shows a piece of input in an error, shortened to stay on one line.
func quote(s string) string {
	const maxRunes = 60
	if utf8.RuneCountInString(s) > maxRunes {
		r := []rune(s)
		s = string(r[:maxRunes]) + "…"
	}
	return strconv.Quote(s)
}
