package usage

import (
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// Parse reads every rate-limit, quota, credit and clock header of one
// response into a Snapshot. received is the local time the response arrived.
//
// Families read, most specific first (when two describe the same dimension,
// the more specific wins and the other only fills gaps; see merge.go):
//   - anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}
//     (docs.anthropic.com "Rate limits" → response headers; reset is RFC 3339);
//   - x-ratelimit-{limit,remaining,reset}-{requests,tokens,…} (OpenAI
//     "Rate limits" guide; reset is a Go-style duration such as "6m0s");
//   - IETF draft-ietf-httpapi-ratelimit-headers: RateLimit + RateLimit-Policy
//     as structured fields (draft 08+), RateLimit as a dictionary (draft 07),
//     RateLimit-Limit/-Remaining/-Reset as separate fields (drafts ≤ 06);
//   - X-Points-{Limit,Remaining,Reset,Cost} (a points budget under its own name);
//   - X-RateLimit-{Limit,Remaining,Reset} (abstrakt seeds 000–003), with
//     X-RateLimit-Used and X-RateLimit-Resource (GitHub REST "Rate limits"),
//     X-RateLimit-Reset-After/-Bucket/-Scope/-Global (Discord "Rate Limits");
//   - x-rate-limit-{limit,remaining,reset} (Twitter/X API v1.1/v2, Unix seconds);
//   - X-Shopify-Shop-Api-Call-Limit: "used/limit" (Shopify REST Admin API).
//
// Points (seed 003) use the very same X-RateLimit-* names as requests, so a
// response cannot tell them apart by name. abtop calls the X-RateLimit-*
// dimension "requests" unless the response says otherwise: an
// X-RateLimit-Cost header (the points this request cost) or an
// X-RateLimit-Unit header ("points", …) makes it "points"/that unit.
//
// Parse never panics and never yields a negative duration; every header
// that was present but not understood is named in Snapshot.Problems.
func Parse(h http.Header, received time.Time) Snapshot {
	p := newParser(h, received)
	p.readDate()
	p.readRetryAfter()
	p.readQuota()
	p.readCredits()

	var ls []Limit
	ls = append(ls, p.anthropic()...)
	ls = append(ls, p.openAI()...)
	ls = append(ls, p.ietf()...)
	ls = append(ls, p.points()...)
	ls = append(ls, p.xRateLimit()...)
	ls = append(ls, p.twitter()...)
	ls = append(ls, p.shopify()...)

	s := Snapshot{
		Received:   received,
		ServerDate: p.date,
		Quota:      p.quota,
		Credits:    p.credits,
		RetryAfter: p.retryAfter,
	}
	s.Limits = merge(ls)
	for i := range s.Limits {
		p.finish(&s.Limits[i])
	}
	s.Binding = binding(s.Limits)
	s.Problems = p.problems
	return s
}

// parser holds the state of one Parse call.
type parser struct {
	h          http.Header
	received   time.Time
	date       time.Time
	ref        time.Time // the clock relative durations are computed against
	retryAfter *time.Duration
	quota      *Quota
	credits    *float64
	problems   []string
}

func newParser(h http.Header, received time.Time) *parser {
	return &parser{h: canonical(h), received: received, ref: received}
}

// canonical returns h with canonical keys. http.Header built by net/http is
// already canonical and is returned as is (no copy); a map written by hand
// ("x-ratelimit-limit") is copied once so lookups by canonical name work.
func canonical(h http.Header) http.Header {
	for k := range h {
		if textproto.CanonicalMIMEHeaderKey(k) != k {
			c := make(http.Header, len(h))
			for k, vs := range h {
				ck := textproto.CanonicalMIMEHeaderKey(k)
				c[ck] = append(c[ck], vs...)
			}
			return c
		}
	}
	return h
}

// get returns the first value of a canonical header name, trimmed.
func (p *parser) get(name string) (string, bool) {
	vs := p.h[name]
	if len(vs) == 0 {
		return "", false
	}
	return strings.TrimSpace(vs[0]), true
}

func (p *parser) has(name string) bool { return len(p.h[name]) > 0 }

func (p *parser) note(format string, args ...any) {
	p.problems = append(p.problems, sprintf(format, args...))
}

// readDate reads the server's clock (RFC 9110 §6.6.1). All relative
// durations are computed against it when it is valid.
func (p *parser) readDate() {
	v, ok := p.get("Date")
	if !ok {
		return
	}
	t, err := http.ParseTime(v)
	if err != nil {
		p.note("Date: %s is not an HTTP-date; using the local clock", quote(v))
		return
	}
	p.date = t
	p.ref = t
}

func (p *parser) readRetryAfter() {
	vs := p.h["Retry-After"]
	if len(vs) == 0 {
		return
	}
	d, ok, notes := parseRetryAfter("Retry-After", vs, p.ref)
	p.problems = append(p.problems, notes...)
	if ok {
		p.retryAfter = &d
	}
}

// readQuota reads the abstrakt monthly write quota (API.md, seed 000).
func (p *parser) readQuota() {
	q := Quota{
		Limit:      p.count("X-Quota-Limit"),
		Remaining:  p.count("X-Quota-Remaining"),
		ResetAfter: p.reset("X-Quota-Reset"),
	}
	if q.Limit == nil && q.Remaining == nil && q.ResetAfter == nil &&
		!p.has("X-Quota-Limit") && !p.has("X-Quota-Remaining") && !p.has("X-Quota-Reset") {
		return
	}
	p.quota = &q
}

// readCredits reads X-Credits-Remaining (API.md). A negative balance is kept:
// an overdrawn prepaid org is real information, unlike a negative count.
func (p *parser) readCredits() {
	v, ok := p.get("X-Credits-Remaining")
	if !ok {
		return
	}
	f, ok := parseFloat(v)
	if !ok {
		p.note("X-Credits-Remaining: %s is not a number", quote(v))
		return
	}
	p.credits = &f
}

// finish derives what the server implied but did not say, and cleans up.
func (p *parser) finish(l *Limit) {
	if l.Limit != nil && l.Remaining != nil && l.Used == nil && *l.Remaining <= *l.Limit {
		u := *l.Limit - *l.Remaining
		l.Used = &u
	}
	if l.Limit != nil && l.Used != nil && l.Remaining == nil && *l.Used <= *l.Limit {
		r := *l.Limit - *l.Used
		l.Remaining = &r
	}
}
