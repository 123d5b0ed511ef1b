package usage

import (
	"sort"
	"strings"
	"time"
)

// Source names of the header families (Limit.Source).
const (
	SourceAnthropic  = "anthropic"
	SourceOpenAI     = "openai"
	SourceIETF       = "ietf"        // RateLimit / RateLimit-Policy structured fields (draft 08+)
	SourceIETFDict   = "ietf-dict"   // RateLimit: limit=…, remaining=…, reset=… (draft 07)
	SourceIETFFields = "ietf-fields" // RateLimit-Limit/-Remaining/-Reset (drafts ≤ 06)
	SourcePoints     = "x-points"
	SourceXRateLimit = "x-ratelimit"  // abstrakt seeds, GitHub, Discord
	SourceTwitter    = "x-rate-limit" // Twitter/X
	SourceShopify    = "shopify"
)

// empty reports whether a Limit carries no information at all.
func (l Limit) empty() bool {
	return l.Limit == nil && l.Remaining == nil && l.Used == nil && l.ResetAfter == nil && l.Window == nil
}

// normUnit maps a provider's unit word to abtop's names; unknown words are
// kept (lower case, "-" → "_").
func normUnit(u string) string {
	u = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(u)), "-", "_")
	switch u {
	case "request", "requests", "req", "calls":
		return UnitRequests
	case "point", "points":
		return UnitPoints
	case "token", "tokens":
		return UnitTokens
	case "input_token", "input_tokens":
		return UnitInputTokens
	case "output_token", "output_tokens":
		return UnitOutputTokens
	}
	return u
}

// suffixed collects a family of headers named prefix+unit+"-"+field
// (anthropic) or prefix+field+"-"+unit (OpenAI), one Limit per unit, in a
// stable order.
type suffixed struct {
	byUnit map[string]*Limit
}

func (s *suffixed) limit(unit, source string) *Limit {
	if s.byUnit == nil {
		s.byUnit = map[string]*Limit{}
	}
	l, ok := s.byUnit[unit]
	if !ok {
		l = &Limit{Unit: unit, Source: source}
		s.byUnit[unit] = l
	}
	return l
}

func (s *suffixed) result() []Limit {
	if len(s.byUnit) == 0 {
		return nil
	}
	out := make([]Limit, 0, len(s.byUnit))
	for _, l := range s.byUnit {
		if !l.empty() {
			out = append(out, *l)
		}
	}
	sortLimits(out)
	return out
}

// sortLimits orders limits requests, points, tokens, input, output, then
// other units alphabetically, so Snapshots are deterministic.
func sortLimits(ls []Limit) {
	sort.SliceStable(ls, func(i, j int) bool {
		ri, rj := unitRank(ls[i].Unit), unitRank(ls[j].Unit)
		if ri != rj {
			return ri < rj
		}
		if ri == len(unitOrder) && ls[i].Unit != ls[j].Unit {
			return ls[i].Unit < ls[j].Unit
		}
		return false
	})
}

var unitOrder = [...]string{UnitRequests, UnitPoints, UnitTokens, UnitInputTokens, UnitOutputTokens}

func unitRank(u string) int {
	for i, o := range unitOrder {
		if o == u {
			return i
		}
	}
	return len(unitOrder)
}

// anthropic reads anthropic-ratelimit-{unit}-{limit,remaining,reset}
// (Anthropic API docs, "Rate limits" → "Response headers": requests, tokens,
// input-tokens, output-tokens; resets are RFC 3339). Other fields of the
// family (e.g. unified-status) are not limits and are left alone.
func (p *parser) anthropic() []Limit {
	const prefix = "Anthropic-Ratelimit-"
	var s suffixed
	for _, k := range sortedKeys(p.h, prefix) {
		rest := strings.ToLower(k[len(prefix):])
		i := strings.LastIndexByte(rest, '-')
		if i <= 0 {
			continue
		}
		unit, field := normUnit(rest[:i]), rest[i+1:]
		v, _ := p.get(k)
		switch field {
		case "limit":
			s.limit(unit, SourceAnthropic).Limit = p.countValue(k, v)
		case "remaining":
			s.limit(unit, SourceAnthropic).Remaining = p.countValue(k, v)
		case "reset":
			s.limit(unit, SourceAnthropic).ResetAfter = p.resetValue(k, v)
		}
	}
	return s.result()
}

// openAI reads x-ratelimit-{limit,remaining,reset}-{unit} (OpenAI platform
// docs, "Rate limits" → "Rate limits in headers": x-ratelimit-limit-requests,
// x-ratelimit-remaining-tokens, x-ratelimit-reset-requests: "1s", "6m0s").
// X-RateLimit-Reset-After belongs to Discord and is skipped here.
func (p *parser) openAI() []Limit {
	var s suffixed
	for _, field := range [...]string{"limit", "remaining", "reset"} {
		prefix := "X-Ratelimit-" + strings.ToUpper(field[:1]) + field[1:] + "-"
		for _, k := range sortedKeys(p.h, prefix) {
			unit := normUnit(k[len(prefix):])
			if field == "reset" && unit == "after" {
				continue
			}
			v, _ := p.get(k)
			l := s.limit(unit, SourceOpenAI)
			switch field {
			case "limit":
				l.Limit = p.countValue(k, v)
			case "remaining":
				l.Remaining = p.countValue(k, v)
			case "reset":
				l.ResetAfter = p.resetValue(k, v)
			}
		}
	}
	return s.result()
}

// points reads a points budget sent under its own names (X-Points-*).
func (p *parser) points() []Limit {
	l := Limit{
		Unit:       UnitPoints,
		Source:     SourcePoints,
		Limit:      p.count("X-Points-Limit"),
		Remaining:  p.count("X-Points-Remaining"),
		ResetAfter: p.reset("X-Points-Reset"),
		Cost:       p.count("X-Points-Cost"),
	}
	if l.empty() {
		return nil
	}
	return []Limit{l}
}

// xRateLimit reads the X-RateLimit-* family:
//   - abstrakt seeds 000–003: Limit/Remaining/Reset, reset as HTTP-date (000,
//     003) or Unix seconds (001, 002); seed 003 counts points (see Parse);
//   - GitHub REST API docs, "Rate limits for the REST API": x-ratelimit-used
//     and x-ratelimit-resource (the scope: core, search, graphql, …);
//   - Discord developer docs, "Rate Limits" → header format:
//     X-RateLimit-Reset-After (decimal seconds, preferred over Reset because
//     it is immune to clock skew), X-RateLimit-Bucket, X-RateLimit-Scope
//     (user, global, shared) and X-RateLimit-Global.
func (p *parser) xRateLimit() []Limit {
	l := Limit{
		Unit:      UnitRequests,
		Source:    SourceXRateLimit,
		Limit:     p.count("X-Ratelimit-Limit"),
		Remaining: p.count("X-Ratelimit-Remaining"),
		Used:      p.count("X-Ratelimit-Used"),
		Cost:      p.count("X-Ratelimit-Cost"),
	}
	if d := p.deltaSeconds("X-Ratelimit-Reset-After"); d != nil {
		l.ResetAfter = d
		if p.has("X-Ratelimit-Reset") {
			// Still validate it, so garbage there is reported.
			p.reset("X-Ratelimit-Reset")
		}
	} else {
		l.ResetAfter = p.reset("X-Ratelimit-Reset")
	}
	if u, ok := p.get("X-Ratelimit-Unit"); ok && u != "" {
		l.Unit = normUnit(u)
	} else if l.Cost != nil {
		l.Unit = UnitPoints
	}
	l.Scope = p.xScope()
	if l.empty() {
		return nil
	}
	return []Limit{l}
}

// xScope picks the most telling scope word of the X-RateLimit-* family.
func (p *parser) xScope() string {
	if v, ok := p.get("X-Ratelimit-Scope"); ok && v != "" {
		return strings.ToLower(v)
	}
	if v, ok := p.get("X-Ratelimit-Global"); ok && strings.EqualFold(v, "true") {
		return "global"
	}
	if v, ok := p.get("X-Ratelimit-Resource"); ok && v != "" {
		return v
	}
	if v, ok := p.get("X-Ratelimit-Bucket"); ok && v != "" {
		return "bucket:" + v
	}
	return ""
}

// twitter reads x-rate-limit-{limit,remaining,reset} (X/Twitter API docs,
// "Rate limits" → headers; reset is Unix epoch seconds).
func (p *parser) twitter() []Limit {
	l := Limit{
		Unit:       UnitRequests,
		Source:     SourceTwitter,
		Limit:      p.count("X-Rate-Limit-Limit"),
		Remaining:  p.count("X-Rate-Limit-Remaining"),
		ResetAfter: p.reset("X-Rate-Limit-Reset"),
	}
	if l.empty() {
		return nil
	}
	return []Limit{l}
}

// shopify reads X-Shopify-Shop-Api-Call-Limit: "32/40" — calls used in the
// leaky bucket / bucket size (Shopify REST Admin API, "API call limit").
func (p *parser) shopify() []Limit {
	const name = "X-Shopify-Shop-Api-Call-Limit"
	v, ok := p.get(name)
	if !ok {
		return nil
	}
	usedS, limS, found := strings.Cut(v, "/")
	if !found {
		p.note("%s: %s is not \"used/limit\"", name, quote(v))
		return nil
	}
	used, okU := p.parseCount(name, usedS)
	lim, okL := p.parseCount(name, limS)
	if !okU || !okL {
		return nil
	}
	l := Limit{Unit: UnitRequests, Source: SourceShopify, Scope: "shop", Limit: &lim, Used: &used}
	if used <= lim {
		l.Remaining = ptr(lim - used)
	} else {
		p.note("%s: %s uses more than the limit", name, quote(v))
		l.Remaining = ptr(int64(0))
	}
	return []Limit{l}
}

// countValue parses one already-fetched count value of header name.
func (p *parser) countValue(name, v string) *int64 {
	n, ok := p.parseCount(name, v)
	if !ok {
		return nil
	}
	return &n
}

// sortedKeys lists the header names starting with prefix, sorted.
func sortedKeys(h map[string][]string, prefix string) []string {
	var ks []string
	for k := range h {
		if len(k) > len(prefix) && strings.HasPrefix(k, prefix) {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

// secs converts integer seconds to a Duration, bounded so it cannot overflow.
func secs(n int64) *time.Duration {
	if n < 0 || time.Duration(n) > maxAhead/time.Second {
		return nil
	}
	d := time.Duration(n) * time.Second
	return &d
}
