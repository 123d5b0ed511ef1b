// Package header renders the dashboard's top line: who (organization,
// plan, profile, masked token and its source) on the left, connection state
// and the age of the last data on the right.
package header

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// Conn is the connection state.
type Conn int

const (
	Connecting Conn = iota
	Live
	Stale   // no fresh data for two poll intervals
	Failing // the last poll failed
	Embargo // the server asked for a pause (Retry-After)
)

// Info is what the header shows.
type Info struct {
	Org         string
	Plan        string
	Profile     string
	MaskedToken string // already masked: ab_…wxyz
	TokenSource string // flag, env, file, sandbox
	Conn        Conn
	LastData    time.Time // zero: never
	Now         time.Time
	Problem     string    // last poll error in a few words (shown when Failing)
	RetryAt     time.Time // when abtop polls again after the failure; zero: unknown
	Sandbox     bool
	// Limiter is how the org budget is shared (its Text: "shared via redis
	// · 3 submitters · share 1/3"); the zero value when it is not.
	Limiter budget.Sharing
	// Batches is one line about other processes' batches; "" when none.
	Batches string
}

// Render draws the header, exactly w cells wide.
func Render(in Info, w int, st styles.Styles) string {
	// parts in display order, each with a priority: on a narrow terminal
	// the least useful go first (org, then profile, then plan)
	type part struct {
		s    string
		prio int
	}
	var parts []part
	if in.Org != "" {
		parts = append(parts, part{in.Org, 1})
	}
	if in.Plan != "" {
		r, n := utf8.DecodeRuneInString(in.Plan) // capitalise by rune, not byte
		parts = append(parts, part{string(unicode.ToUpper(r)) + in.Plan[n:] + " plan", 3})
	}
	if in.Profile != "" {
		parts = append(parts, part{"profile " + in.Profile, 2})
	}
	if in.MaskedToken != "" {
		t := in.MaskedToken
		// the SANDBOX badge already says where a sandbox token came from
		if in.TokenSource != "" && !(in.Sandbox && in.TokenSource == "sandbox") {
			t += " (" + in.TokenSource + ")"
		}
		parts = append(parts, part{t, 4})
	}
	if in.Sandbox {
		parts = append(parts, part{st.Warning.Render("SANDBOX"), 5})
	}
	if in.Limiter.Text != "" {
		s := text.Clean(in.Limiter.Text)
		if in.Limiter.Degraded { // never only in colour
			s = st.Warning.Render("⚠ " + s)
		}
		parts = append(parts, part{s, 4})
	}
	if in.Batches != "" {
		parts = append(parts, part{text.Clean(in.Batches), 3})
	}
	build := func(minPrio int) string {
		var ss []string
		for _, p := range parts {
			if p.prio >= minPrio {
				ss = append(ss, p.s)
			}
		}
		return " " + st.Title.Render("abtop") + "  " + strings.Join(ss, " · ")
	}

	right := rightPart(in, w, st, true)
	left := build(0)
	for prio := 2; prio <= 4 && text.Width(left)+text.Width(right)+2 > w; prio++ {
		left = build(prio)
	}
	if text.Width(left)+text.Width(right)+2 > w {
		right = rightPart(in, w, st, false) // "● live · 0s ago"
	}
	return text.Spread(left, right+" ", w)
}

// rightPart is the connection state and the age of the data; long says
// "updated 2s ago", short "2s ago".
func rightPart(in Info, w int, st styles.Styles, long bool) string {
	var right string
	age := ""
	if !in.LastData.IsZero() {
		age = " · " + format.Age(in.Now.Sub(in.LastData)) + " ago"
		if long {
			age = " · updated " + format.Age(in.Now.Sub(in.LastData)) + " ago"
		}
	}
	switch in.Conn {
	case Connecting:
		right = st.Dim.Render("◌ connecting…")
	case Live:
		right = st.Calm.Render("● live") + age
	case Stale:
		right = st.Dim.Render("◌ stale" + age)
	case Failing:
		p := in.Problem
		if p == "" {
			p = "poll failed"
		}
		retry := ""
		if !in.RetryAt.IsZero() {
			retry = " · retry " + in.RetryAt.Format("15:04:05")
		}
		right = st.Critical.Render("✖ "+text.Cut(p, max(10, w/3))+retry) + age
	case Embargo:
		right = st.Warning.Render("⏸ waiting out Retry-After") + age
	}
	return right
}
