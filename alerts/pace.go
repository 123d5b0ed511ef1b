package alerts

import "time"

// pace estimates how many credits a profile spends a day from the
// balances it has seen over the last day.
type pace struct {
	samples []sample // oldest first, at most one per sampleEvery
}

type sample struct {
	at      time.Time
	credits float64
}

const (
	sampleEvery = 10 * time.Minute
	paceSpan    = 24 * time.Hour
	// minPaceSpan: a pace from a few minutes of a busy batch would
	// predict doom; wait for an hour of history.
	minPaceSpan = time.Hour
)

func (p *pace) add(at time.Time, credits float64) {
	n := len(p.samples)
	if n > 0 && credits > p.samples[n-1].credits {
		p.samples = p.samples[:0] // a top-up: the old history says nothing now
		n = 0
	}
	if n >= 2 && at.Sub(p.samples[n-2].at) < sampleEvery {
		p.samples[n-1] = sample{at, credits} // the newest balance, within the bound on samples
	} else {
		p.samples = append(p.samples, sample{at, credits})
	}
	for len(p.samples) > 1 && at.Sub(p.samples[0].at) > paceSpan {
		p.samples = p.samples[1:]
	}
}

// perDay is the spending rate in credits a day, when there is enough
// history and the balance went down.
func (p *pace) perDay() (float64, bool) {
	n := len(p.samples)
	if n < 2 {
		return 0, false
	}
	first, last := p.samples[0], p.samples[n-1]
	span := last.at.Sub(first.at)
	if span < minPaceSpan || first.credits <= last.credits {
		return 0, false
	}
	return (first.credits - last.credits) / span.Hours() * 24, true
}
