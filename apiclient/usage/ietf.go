package usage

import (
	"strings"
	"time"
)

// The IETF RateLimit header fields went through three shapes
// (draft-ietf-httpapi-ratelimit-headers, datatracker.ietf.org):
//   - drafts ≤ 06: separate fields RateLimit-Limit: 100 (optionally
//     "100, 100;w=60"), RateLimit-Remaining: 50, RateLimit-Reset: 30
//     (delta seconds), RateLimit-Policy: 100;w=60;
//   - draft 07: one dictionary, RateLimit: limit=100, remaining=50, reset=30,
//     with RateLimit-Policy: 100;w=60;
//   - drafts 08+: structured-field lists keyed by policy name,
//     RateLimit: "default";r=50;t=30 and RateLimit-Policy: "default";q=100;w=60
//     (q quota, qu quota unit, w window seconds, r remaining, t reset seconds).
//
// Resets are delta seconds in every draft; values above 1e9 (GitLab sends
// Unix seconds in RateLimit-Reset) are read as instants by the same
// heuristic as everywhere else.

// sfItem is one member of a (leniently parsed) structured-field list.
type sfItem struct {
	value  string            // the bare item, unquoted
	params map[string]string // parameters, values unquoted
}

// parseSFList splits a structured-field list ("a;x=1, "b";y=2") into
// items. It is lenient on purpose: strict RFC 8941 parsing would reject
// what real servers send, and every value is validated later anyway.
func parseSFList(v string) []sfItem {
	var items []sfItem
	for _, member := range splitOutsideQuotes(v, ',') {
		member = strings.TrimSpace(member)
		if member == "" {
			continue
		}
		parts := splitOutsideQuotes(member, ';')
		it := sfItem{value: unquote(strings.TrimSpace(parts[0]))}
		for _, param := range parts[1:] {
			k, val, _ := strings.Cut(strings.TrimSpace(param), "=")
			if k = strings.ToLower(strings.TrimSpace(k)); k == "" {
				continue
			}
			if it.params == nil {
				it.params = map[string]string{}
			}
			it.params[k] = unquote(strings.TrimSpace(val))
		}
		items = append(items, it)
	}
	return items
}

// splitOutsideQuotes splits s at sep, ignoring separators inside "…".
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQuote && i+1 < len(s):
			i++
		case c == '"':
			inQuote = !inQuote
		case c == sep && !inQuote:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `\"`, `"`)
	}
	return s
}

// ietf reads every IETF draft form present.
func (p *parser) ietf() []Limit {
	var out []Limit
	v, hasRL := p.get("Ratelimit")
	if hasRL {
		items := parseSFList(v)
		if len(items) > 0 && isDictionary(items) {
			out = append(out, p.ietfDict(items)...)
		} else {
			out = append(out, p.ietfStructured(items)...)
		}
	} else if p.has("Ratelimit-Policy") && !p.has("Ratelimit-Limit") {
		// A policy alone still tells the limit and the window.
		out = append(out, p.ietfStructured(nil)...)
	}
	out = append(out, p.ietfFields()...)
	return out
}

// isDictionary tells the draft-07 dictionary ("limit=10, remaining=5")
// from the draft-08 list (`"default";r=5`).
func isDictionary(items []sfItem) bool {
	for _, it := range items {
		k, _, found := strings.Cut(it.value, "=")
		if !found {
			return false
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "limit", "remaining", "reset":
		default:
			return false
		}
	}
	return true
}

// ietfDict reads RateLimit: limit=10, remaining=5, reset=3 (draft 07).
func (p *parser) ietfDict(items []sfItem) []Limit {
	l := Limit{Unit: UnitRequests, Source: SourceIETFDict}
	for _, it := range items {
		k, val, _ := strings.Cut(it.value, "=")
		val = unquote(strings.TrimSpace(val))
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "limit":
			l.Limit = p.countValue("RateLimit limit", val)
		case "remaining":
			l.Remaining = p.countValue("RateLimit remaining", val)
		case "reset":
			l.ResetAfter = p.resetValue("RateLimit reset", val)
		}
	}
	if pol := p.legacyPolicy(l.Limit); pol != nil {
		l.Window = pol
	}
	if l.empty() {
		return nil
	}
	return []Limit{l}
}

// legacyPolicy reads a draft ≤ 07 RateLimit-Policy ("100;w=60, 1000;w=3600")
// and returns the window of the policy whose quota equals limit (else the
// first one's).
func (p *parser) legacyPolicy(limit *int64) *time.Duration {
	v, ok := p.get("Ratelimit-Policy")
	if !ok {
		return nil
	}
	var first *time.Duration
	for _, it := range parseSFList(v) {
		w, ok := it.params["w"]
		if !ok {
			continue
		}
		n, note, ok := parseCountValue(w)
		if note != "" {
			p.note("RateLimit-Policy w: %s", note)
		}
		if !ok {
			continue
		}
		d := secs(n)
		if d == nil {
			p.note("RateLimit-Policy w: %s is implausibly long", quote(w))
			continue
		}
		if first == nil {
			first = d
		}
		if q, note, ok := parseCountValue(it.value); ok && note == "" && limit != nil && q == *limit {
			return d
		}
	}
	return first
}

// ietfStructured reads RateLimit / RateLimit-Policy as draft-08+ lists and
// joins them by policy name.
func (p *parser) ietfStructured(rl []sfItem) []Limit {
	var (
		out    []Limit
		byName = map[string]int{}
	)
	if v, ok := p.get("Ratelimit-Policy"); ok {
		for _, it := range parseSFList(v) {
			l := Limit{Unit: UnitRequests, Source: SourceIETF, Scope: it.value}
			if q, ok := it.params["q"]; ok {
				l.Limit = p.countValue("RateLimit-Policy q", q)
			} else if n, note, ok := parseCountValue(it.value); ok && note == "" {
				// Draft ≤ 07 policy "100;w=60": the item is the quota.
				l.Limit, l.Scope = &n, ""
			}
			if qu, ok := it.params["qu"]; ok && qu != "" {
				l.Unit = normUnit(qu)
			}
			if w, ok := it.params["w"]; ok {
				if n, ok := p.parseCount("RateLimit-Policy w", w); ok {
					l.Window = secs(n)
				}
			}
			if l.empty() {
				continue
			}
			byName[l.Scope] = len(out)
			out = append(out, l)
		}
	}
	for _, it := range rl {
		i, ok := byName[it.value]
		if !ok {
			i = len(out)
			out = append(out, Limit{Unit: UnitRequests, Source: SourceIETF, Scope: it.value})
			byName[it.value] = i
		}
		l := &out[i]
		r, hasR := it.params["r"]
		if hasR {
			l.Remaining = p.countValue("RateLimit r", r)
		}
		t, hasT := it.params["t"]
		if hasT {
			l.ResetAfter = p.resetValue("RateLimit t", t)
		}
		if !hasR && !hasT {
			p.note("RateLimit: %s has neither r= nor t=", quote(it.value))
		}
	}
	kept := out[:0]
	for _, l := range out {
		if !l.empty() {
			kept = append(kept, l)
		}
	}
	return kept
}

// ietfFields reads the separate RateLimit-Limit/-Remaining/-Reset fields
// (drafts ≤ 06; still what GitLab and many gateways send).
func (p *parser) ietfFields() []Limit {
	if !p.has("Ratelimit-Limit") && !p.has("Ratelimit-Remaining") && !p.has("Ratelimit-Reset") {
		return nil
	}
	l := Limit{Unit: UnitRequests, Source: SourceIETFFields}
	if v, ok := p.get("Ratelimit-Limit"); ok {
		// "100" or draft-03 "100, 100;w=60, 1000;w=3600": the first item is the limit.
		if items := parseSFList(v); len(items) > 0 {
			l.Limit = p.countValue("RateLimit-Limit", items[0].value)
			for _, it := range items {
				if w, ok := it.params["w"]; ok {
					if n, note, ok := parseCountValue(w); ok && note == "" {
						l.Window = secs(n)
					}
					break
				}
			}
		} else {
			p.note("RateLimit-Limit: %s is empty", quote(v))
		}
	}
	l.Remaining = p.count("Ratelimit-Remaining")
	l.ResetAfter = p.reset("Ratelimit-Reset")
	if l.Window == nil {
		l.Window = p.legacyPolicy(l.Limit)
	}
	if l.empty() {
		return nil
	}
	return []Limit{l}
}
