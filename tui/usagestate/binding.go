package usagestate

import "time"

// Bind names the budget that runs out first (or what paces jobs when
// nothing does). Which one binds is a fact about the usage; the words
// for it are the display's (tui/gauges).
type Bind int

const (
	BindNoData      Bind = iota // nothing observed yet
	BindNothing                 // nothing runs out at this pace: the rate window paces jobs
	BindEmbargo                 // a Retry-After holds every request
	BindRateUsedUp              // the rate window is used up until its reset
	BindQuotaOut                // the monthly writes are exhausted until their reset
	BindQuotaPace               // at this pace the monthly writes run out before their reset
	BindCreditsOut              // not enough credits for the next job
	BindCreditsPace             // at this pace the credits run out
	BindConcurrency             // every concurrency slot is taken
)

// Severity says how urgent a binding is.
type Severity int

const (
	SevCalm Severity = iota
	SevWarning
	SevCritical
	SevUnknown
)

// Binding is what binds now: its kind, how urgent, and In, how long until
// it bites (0: it already does). For BindNothing, RateUsed is the binding
// rate limit's used fraction (-1 when unknown).
type Binding struct {
	Kind     Bind
	Severity Severity
	In       time.Duration
	RateUsed float64
}

// RecentHit is how long a 429 or a 402 stays news: the gauges mark it,
// and a 402 keeps the credits binding for that long.
const RecentHit = time.Minute

// Binding picks what runs out first at now: the soonest of an embargo, a
// used-up rate window, the monthly writes, the credits and a full set of
// concurrency slots (running of concurrency; 0 when unknown).
func (s *State) Binding(now time.Time, running, concurrency int) Binding {
	var best *Binding
	consider := func(b Binding) {
		if best == nil || b.In < best.In {
			best = &b
		}
	}
	if s.Embargoed(now) {
		consider(Binding{Kind: BindEmbargo, Severity: SevCritical})
	}
	if s.Rate != nil {
		if l, ok := s.Rate.BindingLimit(); ok && l.Remaining != nil && *l.Remaining <= 0 {
			d, _ := ResetIn(l.ResetAfter, s.Rate.At, now)
			consider(Binding{Kind: BindRateUsedUp, Severity: SevCritical, In: d})
		}
	}
	if s.Quota != nil && s.Quota.Q.Remaining != nil {
		resetIn, hasReset := ResetIn(s.Quota.Q.ResetAfter, s.Quota.At, now)
		if *s.Quota.Q.Remaining <= 0 {
			consider(Binding{Kind: BindQuotaOut, Severity: SevCritical, In: resetIn})
		} else if fc := s.QuotaForecast(); fc.Consuming && (!hasReset || fc.EmptyIn < resetIn) {
			consider(Binding{Kind: BindQuotaPace, Severity: SevWarning, In: fc.EmptyIn})
		}
	}
	if s.Credits != nil {
		if s.Credits.Value <= 0 || (!s.Last402.IsZero() && now.Sub(s.Last402) < RecentHit) {
			consider(Binding{Kind: BindCreditsOut, Severity: SevCritical})
		} else if fc := s.CreditsForecast(); fc.Consuming {
			sev := SevCalm
			if fc.EmptyIn < 24*time.Hour {
				sev = SevWarning
			}
			consider(Binding{Kind: BindCreditsPace, Severity: sev, In: fc.EmptyIn})
		}
	}
	if concurrency > 0 && running >= concurrency {
		consider(Binding{Kind: BindConcurrency, Severity: SevWarning, In: time.Minute})
	}
	switch {
	case best != nil:
		return *best
	case s.Rate == nil && s.Quota == nil && s.Credits == nil:
		return Binding{Kind: BindNoData, Severity: SevUnknown}
	}
	b := Binding{Kind: BindNothing, Severity: SevCalm, RateUsed: -1}
	if s.Rate != nil {
		if l, ok := s.Rate.BindingLimit(); ok && l.Remaining != nil {
			if f := l.Fraction(); f >= 0 {
				b.RateUsed = 1 - f
			}
		}
	}
	return b
}
