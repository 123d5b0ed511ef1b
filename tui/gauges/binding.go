package gauges

import (
	"fmt"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
	"github.com/abtop-dev/abtop/tui/usagestate"
)

// Binding says which budget runs out first and when, in one line of w
// cells: usagestate decides which binds; this words it. Each message
// comes in a long and shorter wordings; the longest that fits is used, so
// a narrow terminal gets a whole short sentence instead of a long one cut
// in the middle. withRunning adds the running count on the right (for
// layouts that have no running-jobs gauge).
func Binding(in Input, st styles.Styles, w int, withRunning bool) string {
	s := in.S
	b := s.Binding(in.Now, in.Running, in.Concurrency)
	lvl, what := bindingWords(in, b)
	right := ""
	if withRunning {
		right = fmt.Sprintf("running %d", in.Running)
		if in.Concurrency > 0 {
			right = fmt.Sprintf("running %d/%d", in.Running, in.Concurrency)
		}
	}
	glyph := st.For(lvl).Render(lvl.Glyph()) + " "
	room := w - 3 // " ● " before the message
	if right != "" {
		room -= text.Width(right) + 2 // the gap and the trailing space
	}
	msg := what[len(what)-1]
	for _, m := range what {
		if text.Width(m) <= room {
			msg = m
			break
		}
	}
	if right == "" {
		return text.Fit(" "+glyph+msg, w)
	}
	return text.Spread(" "+glyph+msg, right+" ", w)
}

// bindingWords is a binding's level and wordings, longest first.
func bindingWords(in Input, b usagestate.Binding) (styles.Level, []string) {
	s := in.S
	d := format.Duration(b.In)
	lvl := levelOf(b.Severity)
	switch b.Kind {
	case usagestate.BindEmbargo:
		e := format.Duration(s.EmbargoUntil.Sub(in.Now))
		return lvl, []string{"binding: Retry-After embargo — requests resume in " + e, "Retry-After: requests resume in " + e, "Retry-After " + e}
	case usagestate.BindRateUsedUp:
		return lvl, []string{"binding: rate window used up: next slot in " + d, "rate window used up: next slot in " + d, "rate: next slot in " + d}
	case usagestate.BindQuotaOut:
		return lvl, []string{"binding: monthly writes exhausted until the reset in " + d, "monthly writes exhausted · reset in " + d, "writes exhausted · reset " + d}
	case usagestate.BindQuotaPace:
		return lvl, []string{"binding: monthly writes run out first — ~" + d + " at this pace, before the reset", "binding: monthly writes out in ~" + d + ", before the reset", "writes out in ~" + d + " (pace)"}
	case usagestate.BindCreditsOut:
		return lvl, []string{"binding: credits — not enough for the next job; add credits to continue", "credits: not enough for the next job", "out of credits"}
	case usagestate.BindCreditsPace:
		return lvl, []string{"binding: credits run out first — ~" + d + " at this pace", "binding: credits out in ~" + d + " at this pace", "credits out in ~" + d + " (pace)"}
	case usagestate.BindConcurrency:
		c := fmt.Sprintf("%d/%d", in.Running, in.Concurrency)
		return lvl, []string{"binding: concurrency " + c + ": new jobs wait for one to finish", "concurrency " + c + ": new jobs wait", "concurrency " + c}
	case usagestate.BindNoData:
		return lvl, []string{"binding: no usage data yet", "no usage data yet"}
	}
	// nothing runs out: the rate window is what paces jobs now
	what := []string{"binding: nothing runs out at this pace", "nothing runs out at this pace"}
	if s.Rate == nil {
		return lvl, what
	}
	l, ok := s.Rate.BindingLimit()
	if !ok || l.Remaining == nil {
		return lvl, what
	}
	// the level of the numbers on this line; a recent 429 is explained on
	// the rate gauge, not implied here
	if b.RateUsed >= 0 {
		lvl = styles.LevelOf(b.RateUsed)
	}
	left := format.Count(*l.Remaining)
	if l.Limit != nil {
		left += "/" + format.Count(*l.Limit)
	}
	left += " " + unitWord(l.Unit) + " left"
	reset := ""
	if d, ok := usagestate.ResetIn(l.ResetAfter, s.Rate.At, in.Now); ok && d > 0 {
		reset = ", resets in " + format.Duration(d)
	} else if ok {
		reset = ", window since reset"
	}
	return lvl, []string{
		"binding: the rate window paces jobs (" + left + reset + "); nothing runs out at this pace",
		"binding: the rate window (" + left + reset + "); nothing runs out",
		"binding: rate window, " + left + reset,
		"rate window: " + left + reset,
		"rate: " + left,
	}
}

// levelOf is a binding's severity as a display level.
func levelOf(s usagestate.Severity) styles.Level {
	switch s {
	case usagestate.SevCritical:
		return styles.Critical
	case usagestate.SevWarning:
		return styles.Warning
	case usagestate.SevUnknown:
		return styles.Unknown
	}
	return styles.Calm
}
