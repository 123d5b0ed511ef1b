package gauges

import (
	"fmt"
	"time"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
	"github.com/abtop-dev/abtop/tui/usagestate"
)

// Binding says which budget runs out first and when, in one line of w
// cells. Each message comes in a long and shorter wordings; the longest
// that fits is used, so a narrow terminal gets a whole short sentence
// instead of a long one cut in the middle. withRunning adds the running
// count on the right (for layouts that have no running-jobs gauge).
func Binding(in Input, st styles.Styles, w int, withRunning bool) string {
	s := in.S
	type cand struct {
		lvl  styles.Level
		what []string // wordings, longest first
		in   time.Duration
	}
	var best *cand
	consider := func(c cand) {
		if best == nil || c.in < best.in {
			best = &c
		}
	}
	if s.Embargoed(in.Now) {
		d := format.Duration(s.EmbargoUntil.Sub(in.Now))
		consider(cand{styles.Critical, []string{"binding: Retry-After embargo — requests resume in " + d, "Retry-After: requests resume in " + d, "Retry-After " + d}, 0})
	}
	if s.Rate != nil {
		if l, ok := s.Rate.BindingLimit(); ok && l.Remaining != nil && *l.Remaining <= 0 {
			d, _ := usagestate.ResetIn(l.ResetAfter, s.Rate.At, in.Now)
			ds := format.Duration(d)
			consider(cand{styles.Critical, []string{"binding: rate window used up: next slot in " + ds, "rate window used up: next slot in " + ds, "rate: next slot in " + ds}, d})
		}
	}
	if s.Quota != nil && s.Quota.Q.Remaining != nil {
		resetIn, hasReset := usagestate.ResetIn(s.Quota.Q.ResetAfter, s.Quota.At, in.Now)
		if *s.Quota.Q.Remaining <= 0 {
			r := format.Duration(resetIn)
			consider(cand{styles.Critical, []string{"binding: monthly writes exhausted until the reset in " + r, "monthly writes exhausted · reset in " + r, "writes exhausted · reset " + r}, resetIn})
		} else if fc := s.QuotaForecast(); fc.Consuming && (!hasReset || fc.EmptyIn < resetIn) {
			e := format.Duration(fc.EmptyIn)
			consider(cand{styles.Warning, []string{"binding: monthly writes run out first — ~" + e + " at this pace, before the reset", "binding: monthly writes out in ~" + e + ", before the reset", "writes out in ~" + e + " (pace)"}, fc.EmptyIn})
		}
	}
	if s.Credits != nil {
		if s.Credits.Value <= 0 || (!s.Last402.IsZero() && in.Now.Sub(s.Last402) < recentHit) {
			consider(cand{styles.Critical, []string{"binding: credits — not enough for the next job; add credits to continue", "credits: not enough for the next job", "out of credits"}, 0})
		} else if fc := s.CreditsForecast(); fc.Consuming {
			lvl := styles.Calm
			if fc.EmptyIn < 24*time.Hour {
				lvl = styles.Warning
			}
			e := format.Duration(fc.EmptyIn)
			consider(cand{lvl, []string{"binding: credits run out first — ~" + e + " at this pace", "binding: credits out in ~" + e + " at this pace", "credits out in ~" + e + " (pace)"}, fc.EmptyIn})
		}
	}
	if in.Concurrency > 0 && in.Running >= in.Concurrency {
		c := fmt.Sprintf("%d/%d", in.Running, in.Concurrency)
		consider(cand{styles.Warning, []string{"binding: concurrency " + c + ": new jobs wait for one to finish", "concurrency " + c + ": new jobs wait", "concurrency " + c}, time.Minute})
	}
	right := ""
	if withRunning {
		right = fmt.Sprintf("running %d", in.Running)
		if in.Concurrency > 0 {
			right = fmt.Sprintf("running %d/%d", in.Running, in.Concurrency)
		}
	}
	var c cand
	switch {
	case best != nil:
		c = *best
	case s.Rate == nil && s.Quota == nil && s.Credits == nil:
		c = cand{styles.Unknown, []string{"binding: no usage data yet", "no usage data yet"}, 0}
	default:
		// nothing runs out: the rate window is what paces jobs now
		c = cand{styles.Calm, []string{"binding: nothing runs out at this pace", "nothing runs out at this pace"}, 0}
		if s.Rate != nil {
			if l, ok := s.Rate.BindingLimit(); ok && l.Remaining != nil {
				// the level of the numbers on this line; a recent 429 is
				// explained on the rate gauge, not implied here
				c.lvl = styles.Calm
				if f := l.Fraction(); f >= 0 {
					c.lvl = styles.LevelOf(1 - f)
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
				c.what = []string{
					"binding: the rate window paces jobs (" + left + reset + "); nothing runs out at this pace",
					"binding: the rate window (" + left + reset + "); nothing runs out",
					"binding: rate window, " + left + reset,
					"rate window: " + left + reset,
					"rate: " + left,
				}
			}
		}
	}
	glyph := st.For(c.lvl).Render(c.lvl.Glyph()) + " "
	room := w - 3 // " ● " before the message
	if right != "" {
		room -= text.Width(right) + 2 // the gap and the trailing space
	}
	msg := c.what[len(c.what)-1]
	for _, m := range c.what {
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
