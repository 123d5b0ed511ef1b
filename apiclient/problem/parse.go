package problem

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Shapes of error bodies (Problem.Shape).
const (
	ShapeProblemJSON = "problem+json" // RFC 9457
	ShapeNested      = "nested-error" // {"error":{"type","message","code",…}} (seed 002, OpenAI, Google)
	ShapeMessage     = "message"      // {"message":…} or {"error":"text"}
	ShapeDetail      = "detail"       // {"detail":…} (Django REST framework, FastAPI)
	ShapeErrors      = "errors"       // {"errors":[{"message":…}]} (GraphQL, JSON:API)
	ShapeJSON        = "json"         // some other JSON value
	ShapeText        = "text"
	ShapeHTML        = "html"
	ShapeInvalidJSON = "invalid-json"
	ShapeEmpty       = "empty"
)

// Parse reads an error body of any shape into a Problem. It never returns
// nil and never panics; what it cannot read it keeps as a short excerpt.
// status is the HTTP status (0 when unknown, e.g. a job's stored error, in
// which case a problem+json "status" member is used); h may be nil.
func Parse(status int, h http.Header, body []byte) *Problem {
	p := &Problem{Status: status}
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	ct := mediaType(h)
	switch {
	case len(b) == 0:
		p.Shape = ShapeEmpty
	case looksJSON(b, ct):
		p.parseJSON(b, ct)
	case looksHTML(b, ct):
		p.Shape = ShapeHTML
		p.Message = htmlExcerpt(b)
	default:
		p.Shape = ShapeText
		p.Message = textExcerpt(b)
	}
	if p.Message == "" {
		p.Message = statusText(p.Status)
	}
	return p
}

// mediaType is the lower-case media type of Content-Type ("" when absent).
func mediaType(h http.Header) string {
	if h == nil {
		return ""
	}
	v := h.Get("Content-Type")
	if v == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		mt, _, _ = strings.Cut(v, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// looksJSON trusts the body over the Content-Type: proxies label JSON as
// text/plain and HTML as application/json.
func looksJSON(b []byte, ct string) bool {
	switch b[0] {
	case '{', '[':
		return true
	case '"':
		return strings.Contains(ct, "json")
	}
	return false
}

func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	if status == 0 {
		return "unknown error"
	}
	return fmt.Sprintf("HTTP %d", status)
}

// parseJSON decodes b and dispatches on its shape.
func (p *Problem) parseJSON(b []byte, ct string) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		p.Shape = ShapeInvalidJSON
		p.Message = textExcerpt(b)
		return
	}
	switch v := v.(type) {
	case map[string]any:
		p.parseObject(v, ct)
	case []any:
		// A bare array of errors (some gateways, GraphQL batches).
		p.Shape = ShapeErrors
		p.readErrorsArray(v)
	case string:
		p.Shape = ShapeMessage
		p.Message = v
	default:
		p.Shape = ShapeJSON
		p.Message = textExcerpt(b)
	}
}

// parseObject picks the shape of a JSON object body.
func (p *Problem) parseObject(m map[string]any, ct string) {
	_, hasTitle := m["title"]
	_, hasType := m["type"]
	switch e := m["error"].(type) {
	case map[string]any:
		p.Shape = ShapeNested
		p.readNested(m, e)
		return
	case string:
		if !hasTitle && !hasType {
			p.Shape = ShapeMessage
			p.readErrorString(m, e)
			return
		}
	}
	switch {
	case ct == "application/problem+json" || hasTitle || hasType:
		p.Shape = ShapeProblemJSON
		p.readProblem(m)
	case m["detail"] != nil:
		p.Shape = ShapeDetail
		p.readProblem(m)
	case m["message"] != nil:
		p.Shape = ShapeMessage
		p.readProblem(m)
	case m["errors"] != nil:
		p.Shape = ShapeErrors
		p.readProblem(m)
	default:
		p.Shape = ShapeJSON
		p.readProblem(m)
	}
}

// problemMembers are the members readProblem understands; everything else
// is an extension member (RFC 9457 §3.2) and is kept in Extensions.
var problemMembers = map[string]bool{
	"type": true, "title": true, "status": true, "detail": true, "instance": true,
	"code": true, "errors": true, "message": true, "error_type": true, "extras": true,
}

// readProblem reads an RFC 9457 object and the flat shapes that share its
// member names ({"message"}, {"detail"}, {"errors"}). Members of the wrong
// type are kept when usable (a numeric title becomes text, a string status
// a number).
func (p *Problem) readProblem(m map[string]any) {
	p.Type = str(m["type"])
	p.Title = str(m["title"])
	p.Instance = str(m["instance"])
	// Discourse's 429 names its code "error_type" (rate_limit).
	p.Code = firstNonEmpty(str(m["code"]), str(m["error_type"]))
	if p.Status == 0 {
		if n, ok := integer(m["status"]); ok && n >= 100 && n <= 599 {
			p.Status = int(n)
		}
	}
	message := str(m["message"])
	switch d := m["detail"].(type) {
	case []any:
		// FastAPI: "detail": [{"loc":["body","prompt"],"msg":"field required",…}]
		p.readErrorsArray(d)
	case map[string]any:
		p.extend("detail", d)
	default:
		p.Detail = str(d)
	}
	switch errs := m["errors"].(type) {
	case []any:
		p.readErrorsArray(errs)
	case string:
		// {"errors":"a sentence"}: the sentence is the message.
		message = firstNonEmpty(message, errs)
	case nil:
	default:
		p.extend("errors", errs)
	}
	for k, v := range m {
		if !problemMembers[k] {
			p.extend(k, v)
		}
	}
	p.BodyRetryAfter = bodyRetryAfter(m)
	// Discourse: "extras":{"wait_seconds":10,"time_left":"10 seconds"}.
	if x, ok := m["extras"].(map[string]any); ok {
		for k, v := range x {
			p.extend(k, v)
		}
		p.BodyRetryAfter = maxDuration(p.BodyRetryAfter, bodyRetryAfter(x))
	}
	// GraphQL: a top-level "extensions" object may report the query cost.
	if x, ok := m["extensions"].(map[string]any); ok {
		p.readGraphQLCost(x)
	}
	p.readExtensionLimits(m)
	p.Message = firstNonEmpty(p.Detail, message, p.Title, p.Message)
}

// readNested reads {"error":{…}}: seed 002 ({type,message,code,details}),
// OpenAI ({message,type,param,code}) and Google ({code:429,message,status,
// details:[…]}, where the stable code is "status"). The members of a
// "details" object are flattened into Extensions; every other unknown
// member, of the error or of the outer object, is kept too.
func (p *Problem) readNested(outer, e map[string]any) {
	p.Type = str(e["type"])
	p.Title = str(e["title"])
	p.Detail = str(e["detail"])
	message := str(e["message"])
	code := str(e["code"])
	if status := str(e["status"]); status != "" {
		if _, numeric := integer(e["code"]); numeric || code == "" {
			code = status // Google: code is the HTTP status, status the stable code
		}
	}
	if code == "" && looksLikeCode(p.Type) {
		// Anthropic {"type":"error","error":{"type":"rate_limit_error",
		// "message":…}}: the nested type is the only code.
		code = p.Type
	}
	p.Code = code
	for k, v := range e {
		switch k {
		case "type", "title", "detail", "message", "code", "status":
		case "details":
			if d, ok := v.(map[string]any); ok {
				for dk, dv := range d {
					p.extend(dk, dv)
				}
			} else {
				p.extend(k, v)
			}
		case "errors":
			if errs, ok := v.([]any); ok {
				p.readErrorsArray(errs)
			} else {
				p.extend(k, v)
			}
		default:
			p.extend(k, v)
		}
	}
	for k, v := range outer {
		if k != "error" {
			p.extend(k, v)
		}
	}
	p.BodyRetryAfter = maxDuration(bodyRetryAfter(e), bodyRetryAfter(outer))
	if d, ok := e["details"].(map[string]any); ok {
		p.BodyRetryAfter = maxDuration(p.BodyRetryAfter, bodyRetryAfter(d))
		p.readExtensionLimits(d)
	}
	p.readExtensionLimits(e)
	p.Message = firstNonEmpty(p.Detail, message, p.Title)
}

// readErrorString reads {"error":"…"} and OAuth's {"error":"invalid_token",
// "error_description":"…"} (RFC 6749 §5.2).
func (p *Problem) readErrorString(m map[string]any, e string) {
	if desc := str(m["error_description"]); desc != "" {
		p.Code = e
		p.Message = desc
	} else {
		p.Message = firstNonEmpty(str(m["message"]), e)
		if looksLikeCode(e) {
			p.Code = e
		}
	}
	if c := str(m["code"]); c != "" {
		p.Code = c
	}
	for k, v := range m {
		switch k {
		case "error", "error_description", "message", "code":
		default:
			p.extend(k, v)
		}
	}
	p.BodyRetryAfter = bodyRetryAfter(m)
}

// looksLikeCode: "insufficient_quota" is a code, "Something broke" is not.
func looksLikeCode(s string) bool {
	if s == "" || len(s) > 64 || !strings.ContainsAny(s, "_") {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (p *Problem) extend(k string, v any) {
	if p.Extensions == nil {
		p.Extensions = map[string]any{}
	}
	p.Extensions[k] = v
}

// str renders a JSON value as text when that is meaningful: strings as
// they are, numbers and booleans in JSON notation; objects, arrays and null
// as "".
func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return ""
}

// integer reads a JSON number or a numeric string as an integer.
func integer(v any) (int64, bool) {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, true
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n, true
		}
	case float64:
		if v == float64(int64(v)) {
			return int64(v), true
		}
	}
	return 0, false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
