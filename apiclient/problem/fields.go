package problem

import (
	"strings"
)

// readErrorsArray reads an array of error objects into Fields. It accepts
// the shapes real APIs use for one entry:
//   - abstrakt / RFC 9457 validation: {"pointer":"/input/prompt","detail":"…"};
//   - JSON:API: {"source":{"pointer":"/data/attributes/x"},"title":"…","detail":"…"};
//   - FastAPI: {"loc":["body","prompt"],"msg":"field required","type":"…"};
//   - GraphQL: {"message":"…","path":["a",0],"extensions":{"code":"…"}};
//   - GitHub: {"resource":"Issue","field":"title","code":"missing_field"};
//   - a bare string.
//
// Entries without a pointer are kept too (pointer ""). When the body has
// no code of its own, the code of the first entry that is not about a field
// is used (GraphQL extensions.code); when it has no message, the entries'
// texts joined are.
func (p *Problem) readErrorsArray(arr []any) {
	var texts []string
	for _, e := range arr {
		var fe FieldError
		switch e := e.(type) {
		case string:
			fe.Detail = e
		case map[string]any:
			fe.Pointer = pointerOf(e)
			fe.Detail = firstNonEmpty(str(e["detail"]), str(e["message"]), str(e["msg"]), str(e["title"]), str(e["code"]))
			if fe.Pointer == "" && p.Code == "" {
				// GitHub GraphQL puts the code in "type" (RATE_LIMITED,
				// RATE_LIMIT) next to a "code" such as graphql_rate_limit.
				p.Code = firstNonEmpty(str(e["code"]), extCode(e), codeWord(str(e["type"])))
			}
		default:
			fe.Detail = str(e)
		}
		if fe.Pointer == "" && fe.Detail == "" {
			continue
		}
		p.Fields = append(p.Fields, fe)
		if fe.Detail != "" {
			texts = append(texts, fe.Detail)
		}
	}
	if p.Message == "" && len(texts) > 0 {
		p.Message = strings.Join(texts, "; ")
	}
}

func extCode(e map[string]any) string {
	if x, ok := e["extensions"].(map[string]any); ok {
		return str(x["code"])
	}
	return ""
}

// pointerOf builds a JSON pointer (RFC 6901) for an error entry.
func pointerOf(e map[string]any) string {
	if s := str(e["pointer"]); s != "" {
		return s
	}
	if src, ok := e["source"].(map[string]any); ok {
		if s := str(src["pointer"]); s != "" {
			return s
		}
		if s := str(src["parameter"]); s != "" {
			return "/" + escapePointer(s)
		}
	}
	for _, k := range [...]string{"loc", "path", "field"} {
		switch v := e[k].(type) {
		case []any:
			if len(v) == 0 {
				continue
			}
			var b strings.Builder
			for _, seg := range v {
				b.WriteByte('/')
				b.WriteString(escapePointer(str(seg)))
			}
			return b.String()
		case string:
			if v == "" {
				continue
			}
			if strings.HasPrefix(v, "/") {
				return v
			}
			// "input.prompt" or "prompt": a dotted path.
			return "/" + strings.ReplaceAll(escapePointer(v), ".", "/")
		}
	}
	return ""
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// codeWord returns s when it reads as a code (RATE_LIMITED), else "".
func codeWord(s string) string {
	if looksLikeCode(s) {
		return s
	}
	return ""
}
