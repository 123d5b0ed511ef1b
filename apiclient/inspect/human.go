package inspect

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/internal/format"
)

// BarWidth is the width of the text bars in Human output.
const BarWidth = 16

// Human explains the report to a person. Colour only adds to what the words
// and glyphs already say, so the text reads the same without it.
func (r Report) Human(w io.Writer, color bool) error {
	p := &printer{w: w, color: color}
	status := fmt.Sprintf("%s %d %s", r.Proto, r.Status, printable(r.Reason))
	switch {
	case r.Status >= 400:
		p.line(p.paint(red+bold, status))
	case r.Status >= 300:
		p.line(p.paint(yellow+bold, status))
	default:
		p.line(p.paint(green+bold, status))
	}
	if r.Skipped > 0 {
		p.line(p.paint(dim, fmt.Sprintf("(%d earlier response(s) in the input skipped: 100 Continue, proxy CONNECT or redirects)", r.Skipped)))
	}
	s := r.Snapshot
	if !s.ServerDate.IsZero() {
		p.line(p.paint(dim, "times below are from the server's Date: "+s.ServerDate.UTC().Format(http.TimeFormat)))
	} else {
		p.line(p.paint(dim, "no usable Date header: times below are from now"))
	}
	p.line("")

	if len(s.Limits) == 0 {
		p.kv("Limits", "none reported")
	}
	for i, l := range s.Limits {
		mark := ""
		if i == s.Binding && len(s.Limits) > 1 {
			mark = p.paint(bold, "  ◀ binding")
		}
		p.kv(printable(l.Unit), p.limitLine(l)+mark)
	}
	if q := s.Quota; q != nil {
		p.kv("Quota", p.quotaLine(*q))
	}
	if r.Credits != nil {
		from := "X-Credits-Remaining"
		if r.CreditsFrom == "body" {
			from = "balance body"
		}
		txt := format.Number(*r.Credits) + " credits (" + from + ")"
		if *r.Credits <= 0 {
			txt = p.paint(red, txt)
		}
		p.kv("Credits", txt)
	}
	p.kv("Wait", r.waitLine())
	if r.Problem != nil {
		p.line("")
		r.errorLines(p)
	}
	p.line("")
	p.kv("Verdict", r.verdict(p))
	if len(r.Notes) > 0 {
		p.line("")
		p.line(p.paint(yellow, "Problems found in this response"))
		for _, n := range r.Notes {
			p.line("  ⚠ " + n)
		}
	}
	return p.err
}

func (p *printer) limitLine(l usage.Limit) string {
	var b strings.Builder
	f := l.Fraction()
	b.WriteString(p.bar(f) + "  ")
	switch {
	case l.Remaining != nil && l.Limit != nil:
		fmt.Fprintf(&b, "%s/%s left", format.Count(*l.Remaining), format.Count(*l.Limit))
	case l.Remaining != nil:
		fmt.Fprintf(&b, "%s left of an unknown limit", format.Count(*l.Remaining))
	case l.Limit != nil:
		fmt.Fprintf(&b, "limit %s, remaining unknown", format.Count(*l.Limit))
	default:
		b.WriteString("limit and remaining unknown")
	}
	if l.Used != nil {
		fmt.Fprintf(&b, " · %s used", format.Count(*l.Used))
	}
	if l.Window != nil {
		b.WriteString(" per " + format.Duration(*l.Window))
	}
	if l.ResetAfter != nil {
		b.WriteString(" · resets in " + format.Duration(*l.ResetAfter))
	} else {
		b.WriteString(" · reset unknown")
	}
	if l.Scope != "" {
		b.WriteString(" · scope " + printable(l.Scope))
	}
	return b.String()
}

func (p *printer) quotaLine(q usage.Quota) string {
	var b strings.Builder
	f := -1.0
	if q.Limit != nil && q.Remaining != nil && *q.Limit > 0 {
		f = min(1, max(0, float64(*q.Remaining)/float64(*q.Limit)))
	}
	b.WriteString(p.bar(f) + "  ")
	switch {
	case q.Remaining != nil && q.Limit != nil:
		fmt.Fprintf(&b, "%s/%s writes left this month", format.Count(*q.Remaining), format.Count(*q.Limit))
	case q.Remaining != nil:
		fmt.Fprintf(&b, "%s writes left this month", format.Count(*q.Remaining))
	case q.Limit != nil:
		fmt.Fprintf(&b, "%s writes a month, remaining unknown", format.Count(*q.Limit))
	}
	if q.ResetAfter != nil {
		b.WriteString(" · resets in " + format.Duration(*q.ResetAfter))
	}
	return b.String()
}

func (r Report) waitLine() string {
	var parts []string
	if r.Wait == nil {
		parts = append(parts, "no retry will help soon")
	} else if *r.Wait == 0 {
		parts = append(parts, "none")
	} else {
		parts = append(parts, format.Duration(*r.Wait)+" before the next request")
	}
	var from []string
	if ra := r.Snapshot.RetryAfter; ra != nil {
		from = append(from, "Retry-After: "+format.Duration(*ra))
	}
	if r.Problem != nil && r.Problem.BodyRetryAfter != nil {
		from = append(from, "body retry_after: "+format.Duration(*r.Problem.BodyRetryAfter))
	}
	if len(from) > 0 {
		parts = append(parts, "("+strings.Join(from, ", ")+")")
	}
	return strings.Join(parts, " ")
}

func (r Report) errorLines(p *printer) {
	pr := r.Problem
	head := "Error"
	var title []string
	if pr.Code != "" {
		title = append(title, p.paint(bold, printable(pr.Code)))
	}
	if pr.Title != "" && pr.Title != pr.Message {
		title = append(title, printable(pr.Title))
	}
	if len(title) == 0 {
		title = append(title, fmt.Sprintf("HTTP %d %s", r.Status, printable(r.Reason)))
	}
	p.kv(head, strings.Join(title, " — "))
	if pr.Message != "" {
		p.kv("", strconv.Quote(pr.Message))
	}
	for _, f := range pr.Fields {
		ptr := f.Pointer
		if ptr == "" {
			ptr = "(request)"
		}
		p.kv("", "• "+printable(ptr)+": "+printable(f.Detail))
	}
	if pr.Shape != "" && pr.Shape != "problem+json" {
		p.kv("", p.paint(dim, "body shape: "+pr.Shape))
	}
}

// verdict says in plain words what to do next.
func (r Report) verdict(p *printer) string {
	if r.Class == nil {
		switch {
		case r.Exhausted == problem.ExhaustedQuota:
			return p.paint(yellow, "success, but the monthly write quota is used up: writes will fail until it resets")
		case r.Exhausted == problem.ExhaustedCredits:
			return p.paint(yellow, "success, but no credits are left: compute jobs will fail until you top up")
		case r.Wait != nil && *r.Wait > 0:
			return p.paint(yellow, "success, but a limit is used up: wait "+format.Duration(*r.Wait)+" before the next request")
		case r.Status >= 300:
			return "not an error, not a success: a redirect or informational response"
		}
		return p.paint(green, "success")
	}
	wait := "now"
	if r.Wait != nil && *r.Wait > 0 {
		wait = "in " + format.Duration(*r.Wait)
	}
	var v string
	switch r.Class.Kind {
	case problem.KindRateLimit:
		v = "rate limited: retry " + wait + " with the same Idempotency-Key"
	case problem.KindConcurrency:
		v = "too many jobs running at once: retry when one finishes"
	case problem.KindQuota:
		v = "monthly write quota exhausted: writes pause until the quota resets"
		if r.Wait != nil && *r.Wait > 0 {
			v += " (" + wait + ")"
		}
	case problem.KindCredits:
		v = "out of credits: top up; retrying will not help"
	case problem.KindServer:
		v = "server-side failure: retry " + wait + " with backoff and the same Idempotency-Key"
	case problem.KindAuth:
		v = "the token is missing, invalid or revoked: fix it; retrying will not help"
	case problem.KindPlan:
		v = "this needs a higher plan; retrying will not help"
	case problem.KindConflict:
		v = "conflict with the resource's current state; retrying will not help"
	default:
		v = "the request was rejected: fix it; retrying will not help"
	}
	if r.Class.Retryable && !strings.Contains(v, "retry") {
		v += " (retryable " + wait + ")"
	}
	if r.Class.Retryable {
		return p.paint(yellow, v)
	}
	return p.paint(red, v)
}

// Bar draws frac (0..1, the share left) as a BarWidth-wide bar; a negative
// frac (unknown) draws an empty dotted bar.
func Bar(frac float64) string {
	if frac < 0 || math.IsNaN(frac) {
		return strings.Repeat("·", BarWidth)
	}
	n := int(math.Round(min(frac, 1) * BarWidth))
	return strings.Repeat("█", n) + strings.Repeat("░", BarWidth-n)
}

const (
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	reset  = "\x1b[0m"
)

// printer writes lines and remembers the first write error.
type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) line(s string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, s+"\n")
	}
}

// kv prints a left-aligned label and a value.
func (p *printer) kv(k, v string) { p.line(padRight(k, 14) + v) }

func (p *printer) paint(code, s string) string {
	if !p.color || s == "" {
		return s
	}
	return code + s + reset
}

// bar colours by the share used: calm below 60 %, warning from 60 %,
// critical from 85 % (dashboard.md).
func (p *printer) bar(frac float64) string {
	b := Bar(frac)
	switch {
	case frac < 0:
		return p.paint(dim, b)
	case 1-frac >= 0.85:
		return p.paint(red, b)
	case 1-frac >= 0.6:
		return p.paint(yellow, b)
	}
	return p.paint(green, b)
}

// printable escapes the control characters of text the server chose (the
// rule lives in apiclient, shared with error messages and abtop status).
func printable(s string) string { return apiclient.Printable(s) }

func padRight(s string, n int) string {
	if w := len([]rune(s)); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s + " "
}

// LimitLine renders one limit as Human does ("███░ 41/60 left · resets in
// 12s"), for other surfaces (abtop status) that show the same snapshot.
func LimitLine(l usage.Limit, color bool) string {
	return (&printer{color: color}).limitLine(l)
}

// QuotaLine renders the monthly quota as Human does.
func QuotaLine(q usage.Quota, color bool) string {
	return (&printer{color: color}).quotaLine(q)
}
