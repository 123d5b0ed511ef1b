package budget

import (
	"fmt"
	"math"
	"time"
)

// Learning the real rate from 429s that carry no hint: a gateway or
// reverse proxy in front of the API limiting below what the API advertises
// answers with a bare page, no Retry-After, no rate headers. Waiting a
// fixed second after each (as abtop did) made such a batch take several
// times its ideal; ignoring them draws 429 after 429. Instead the state
// learns a rate, AIMD: a hint-less 429 cuts it (multiplicative decrease),
// every accepted answer raises it a little (increase), requests are
// spaced by it; once it is back at the advertised rate it is forgotten.
// The estimate is part of State, so every Store persists it and every
// process sharing a store paces by the same number.
const (
	// learnCut is the multiplicative decrease on a hint-less 429.
	learnCut = 0.7
	// learnGrow is the increase per accepted answer: from a cut back to
	// the rate that drew it takes ln(1/0.7)/ln(1.01) ≈ 36 answers, so a
	// steady state draws about one 429 in 35 requests.
	learnGrow = 0.01
	// learnFirstGrow is the increase per answer between the first cut
	// and the second (slow start).
	learnFirstGrow = 0.05
	// learnCycle is about how many answers one cycle takes at learnGrow.
	learnCycle = 36
	// learnMinRate: never slower than a request a minute from this alone.
	learnMinRate = 1.0 / 60
	// learnForget: idle this long (no grant), the gateway may have gone.
	learnForget = 5 * time.Minute
	// maxHintlessWait bounds the backoff of consecutive hint-less 429s.
	maxHintlessWait = 30 * time.Second
)

// AdvertisedRate is the rate the responses (or the plan) state, in units
// per second.
func (s *State) AdvertisedRate() float64 {
	if s.Window <= 0 || s.Limit <= 0 {
		return 0
	}
	return float64(s.Limit) / s.Window.Seconds()
}

// observeHintless learns from a 429 that said nothing about when to
// retry. Only a request sent after the last cut can show the cut rate is
// still too fast: answers to requests already in flight at the old rate
// do not cut again. Consecutive hint-less 429s (nothing accepted between)
// also hold everything back exponentially, for a limiter that is not a
// rate (a fixed window that stays shut).
func (s *State) observeHintless(o Observation) {
	if s.Known && s.Remaining <= max(1, s.Limit/10) {
		// The API's own window is (nearly) spent: this is its 429 with
		// its hints lost (a proxy stripped them, a fault): wait for the
		// window's end as for any window 429, and learn no rate from it.
		s.Remaining = min(s.Remaining, 0)
		s.Limited = true
		// Its lost Retry-After was whole seconds until that end,
		// rounded up: wait that second too.
		end := s.EndHi
		if end.IsZero() || end.Before(o.Received) {
			end = o.Received
		}
		if e := end.Add(DateResolution); e.After(s.Embargo) {
			s.Embargo = e
		}
		return
	}
	if s.Learned > 0 && !o.Sent.After(s.LearnedCut) {
		return // in flight when the last cut was made: nothing new
	}
	s.HintlessStreak++
	// The first cut starts from the rate we were sending at (a burst at
	// the start of a window is far above any per-second limit), else
	// the advertised one.
	base := s.Learned
	if base <= 0 {
		base = s.sendRate(o.Received)
	}
	if base <= 0 {
		base = s.AdvertisedRate()
	}
	if base <= 0 {
		base = 1
	}
	s.Learned = max(base*learnCut, learnMinRate)
	s.LearnedCut = o.Received
	s.AcceptedSinceCut = 0
	s.LearnCuts++
	if s.HintlessStreak >= 2 {
		gap := time.Duration(float64(time.Second) / s.Learned)
		d := min(gap<<min(s.HintlessStreak-1, 16), maxHintlessWait)
		if e := o.Received.Add(d); e.After(s.Embargo) {
			s.Embargo = e
		}
	}
}

// observeAccepted raises the learned rate after an answer that was not a
// 429, and forgets it once it reaches the advertised rate.
func (s *State) observeAccepted() {
	s.HintlessStreak = 0
	if s.Learned <= 0 {
		return
	}
	// Gentle right after a cut; the longer no 429 comes, the further
	// below the real limit the estimate must be (a first cut from a slow
	// start), so the probe speeds up: 1 % per answer for the answers a
	// cycle takes, then 1 % more for each such stretch.
	s.AcceptedSinceCut++
	grow := learnGrow * float64(1+s.AcceptedSinceCut/learnCycle)
	if s.LearnCuts == 1 {
		// After the first cut, which started from a guess (a burst's
		// rate), probe fast until the next 429 shows where the limit is.
		grow = learnFirstGrow
	}
	s.Learned *= 1 + grow
	// Forgotten at the advertised rate, once the window length is known
	// (before, Window is the plan's default and the rate a guess).
	if adv := s.AdvertisedRate(); s.WindowKnown && adv > 0 && s.Learned >= adv {
		s.Learned, s.LearnedCut, s.LearnCuts = 0, time.Time{}, 0
	}
}

// sendRateTau is the time constant of the measured send rate.
const sendRateTau = time.Second

// noteGrant folds a grant into the measured send rate: an exponentially
// weighted count of units a second, which a burst raises at once.
func (s *State) noteGrant(now time.Time, cost int64) {
	s.SendRate = s.sendRate(now) + float64(cost)/sendRateTau.Seconds()
	s.SendRateAt = now
}

// sendRate is the measured send rate decayed to now.
func (s *State) sendRate(now time.Time) float64 {
	if s.SendRateAt.IsZero() || s.SendRate <= 0 {
		return 0
	}
	dt := now.Sub(s.SendRateAt)
	if dt <= 0 {
		return s.SendRate
	}
	return s.SendRate * math.Exp(-dt.Seconds()/sendRateTau.Seconds())
}

// learnedGate spaces grants by the learned rate; 0 when r may go now.
func (s *State) learnedGate(now time.Time, cost int64) time.Duration {
	if s.Learned <= 0 {
		return 0
	}
	if !s.LastGrant.IsZero() && now.Sub(s.LastGrant) > learnForget {
		s.Learned, s.LearnedCut, s.HintlessStreak, s.LearnCuts = 0, time.Time{}, 0, 0
		return 0
	}
	gap := time.Duration(float64(cost) * float64(time.Second) / s.Learned)
	if next := s.LastGrant.Add(gap); now.Before(next) {
		return next.Sub(now)
	}
	return 0
}

// LearnedText says in words what was learned, "" when nothing:
// "learned ~4 req/s from 429s without hints; the API advertises 20 per 2s".
func (s State) LearnedText(unit string) string {
	if s.Learned <= 0 {
		return ""
	}
	if unit == "" {
		unit = "req"
	}
	return fmt.Sprintf("learned ~%s from 429s without hints; the API advertises %s", rateText(s.Learned, unit), s.advertisedText(unit))
}

func rateText(perSec float64, unit string) string {
	if perSec >= 1 {
		return fmt.Sprintf("%s %s/s", trimFloat(perSec), unit)
	}
	return fmt.Sprintf("%s %s/min", trimFloat(perSec*60), unit)
}

func (s State) advertisedText(unit string) string {
	switch s.Window {
	case time.Minute:
		return fmt.Sprintf("%d/min", s.Limit)
	case time.Second:
		return fmt.Sprintf("%d %s/s", s.Limit, unit)
	}
	return fmt.Sprintf("%d per %s", s.Limit, s.Window)
}

// trimFloat: 4.2 → "4.2", 4.04 → "4", 12.6 → "13".
func trimFloat(f float64) string {
	if f >= 10 || math.Abs(f-math.Round(f)) < 0.05 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.1f", f)
}
