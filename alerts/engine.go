package alerts

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Options configure an Engine.
type Options struct {
	Config Config
	// Store de-duplicates across processes; nil keeps state in memory.
	Store *Store
	// Send delivers an alert that fired (normally Dispatcher.Send). It
	// must not block: the engine runs on the goroutines that observe.
	Send func(Alert)
	Log  *slog.Logger // default: discard
	// Now stamps events that come without a time; default time.Now.
	Now func() time.Time
}

// Engine evaluates rules against what abtop observes. It is safe for
// concurrent use.
type Engine struct {
	cfg   Config
	store *Store
	send  func(Alert)
	log   *slog.Logger
	now   func() time.Time

	mu    sync.Mutex
	local map[string]localState // profile/key → what this process last saw
	pace  map[string]*pace      // profile → credits spending pace
}

// arming of one threshold rule as this process knows it.
type arming int

const (
	unknown arming = iota // not seen yet: ask the shared state at the next edge
	armed
	fired
)

type localState struct {
	window string
	state  arming
	alert  Alert // the crossing, while fired
}

// NewEngine returns an Engine; Config is validated.
func NewEngine(o Options) (*Engine, error) {
	if err := o.Config.Validate(); err != nil {
		return nil, err
	}
	if o.Store == nil {
		o.Store = NewStore("")
	}
	if o.Send == nil {
		o.Send = func(Alert) {}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Engine{cfg: o.Config, store: o.Store, send: o.Send, log: o.Log, now: o.Now,
		local: map[string]localState{}, pace: map[string]*pace{}}, nil
}

// Reading is one observation of a profile, as the rules need it.
type Reading struct {
	Profile        string
	At             time.Time // when it was observed (local clock)
	Status         int       // HTTP status; 429 counts as a 429 drawn
	QuotaLimit     *int64
	QuotaRemaining *int64
	QuotaReset     time.Time // when the monthly quota resets; zero when unknown
	Credits        *float64
}

// Observe evaluates the threshold rules and the 429 rule against r.
func (e *Engine) Observe(r Reading) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r.At = e.stamp(r.At)
	if r.QuotaLimit != nil && r.QuotaRemaining != nil && *r.QuotaLimit > 0 {
		lim, rem := *r.QuotaLimit, min(*r.QuotaRemaining, *r.QuotaLimit)
		used := float64(lim-rem) / float64(lim) * 100
		window := ""
		if !r.QuotaReset.IsZero() {
			// Rounded: a reset derived from a relative header may wobble by
			// a second between responses and still be the same window.
			window = r.QuotaReset.UTC().Round(time.Minute).Format(time.RFC3339)
		}
		for _, t := range e.cfg.QuotaUsedPercent {
			sev := SeverityWarning
			if t >= 95 {
				sev = SeverityCritical
			}
			e.threshold(r.Profile, fmt.Sprintf("%s_%g", RuleQuotaUsed, t), window, r.At, used, t, true, e.cfg.HysteresisPercent, Alert{
				Rule: RuleQuotaUsed, Severity: sev, Value: used, Threshold: t,
				Text: fmt.Sprintf("%s: monthly quota %.0f%% used (%d of %d writes)", r.Profile, used, lim-rem, lim),
			})
		}
	}
	if r.Credits != nil {
		c := *r.Credits
		if x := e.cfg.CreditsBelow; x > 0 {
			e.threshold(r.Profile, RuleCreditsLow, "", r.At, c, x, false, x*e.cfg.HysteresisPercent/100, Alert{
				Rule: RuleCreditsLow, Severity: SeverityWarning, Value: c, Threshold: x,
				Text: fmt.Sprintf("%s: %s credits left (below %s)", r.Profile, num(c), num(x)),
			})
		}
		p := e.pace[r.Profile]
		if p == nil {
			p = &pace{}
			e.pace[r.Profile] = p
		}
		p.add(r.At, c)
		if n := e.cfg.CreditsDaysBelow; n > 0 {
			if perDay, ok := p.perDay(); ok {
				days := c / perDay
				e.threshold(r.Profile, RuleCreditsDays, "", r.At, days, n, false, n*e.cfg.HysteresisPercent/100, Alert{
					Rule: RuleCreditsDays, Severity: SeverityWarning, Value: days, Threshold: n,
					Text: fmt.Sprintf("%s: credits last %.1f days at the current pace (%s a day)", r.Profile, days, num(perDay)),
				})
			}
		}
	}
	if r.Status == 429 {
		e.event(RuleRateLimited, r.Profile, RuleRateLimited, hour(r.At), r.At, Alert{
			Rule: RuleRateLimited, Severity: SeverityWarning, Value: 1,
			Text: fmt.Sprintf("%s: the server answered 429 Too Many Requests", r.Profile),
		})
	}
}

// JobFailed fires at most once an hour per profile (a broken batch must
// not page a thousand times); the text names the first failure.
func (e *Engine) JobFailed(profile, model, reason string, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	at = e.stamp(at)
	text := fmt.Sprintf("%s: a %s job failed", profile, clean(model))
	if reason != "" {
		text += ": " + clean(reason)
	}
	e.event(RuleJobFailed, profile, RuleJobFailed, hour(at), at, Alert{Rule: RuleJobFailed, Severity: SeverityWarning, Value: 1, Text: text})
}

// BatchFinished fires once per batch id.
func (e *Engine) BatchFinished(profile, batch string, succeeded, failed, canceled int, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	at = e.stamp(at)
	sev := SeverityInfo
	if failed > 0 {
		sev = SeverityWarning
	}
	e.event(RuleBatchFinished, profile, RuleBatchFinished, batch, at, Alert{
		Rule: RuleBatchFinished, Severity: sev, Value: float64(succeeded + failed + canceled),
		Text: fmt.Sprintf("%s: batch %s finished: %d succeeded, %d failed, %d canceled", profile, clean(batch), succeeded, failed, canceled),
	})
}

// CapReached fires once per cap and window (the cap's period, e.g. "2026-11-29").
func (e *Engine) CapReached(profile, capName, window string, used, limit float64, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	at = e.stamp(at)
	e.event(RuleCapReached, profile, RuleCapReached+"_"+capName, window, at, Alert{
		Rule: RuleCapReached, Severity: SeverityWarning, Value: used, Threshold: limit,
		Text: fmt.Sprintf("%s: cap %s reached (%s of %s)", profile, clean(capName), num(used), num(limit)),
	})
}

// threshold runs one threshold rule: fire when the value crosses bound
// (upwards when above), re-arm when it is back past bound by margin or
// the window changed. Only edges touch the shared store.
func (e *Engine) threshold(profile, key, window string, at time.Time, value, bound float64, above bool, margin float64, a Alert) {
	crossed, back := value >= bound, value < bound-margin
	if !above {
		crossed, back = value < bound, value >= bound+margin
	}
	id := profile + "/" + key
	ls := e.local[id]
	if ls.window != window {
		ls = localState{window: window}
	}
	switch {
	case crossed && ls.state != fired:
		ls.state = fired
		a.Key, a.Profile, a.Window, a.At = key, profile, window, at
		ls.alert = a
		e.fire(id, a)
	case back && ls.state != armed:
		if err := e.store.rearm(id, at); err != nil {
			e.log.Warn("alerts: cannot save state", "err", err)
		}
		ls.state = armed
	}
	e.local[id] = ls
}

// Active returns the threshold alerts of profile that are crossed now,
// as this process last saw them (for the status line and the overview
// strip), sorted by key.
func (e *Engine) Active(profile string) []Alert {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Alert
	for _, ls := range e.local {
		if ls.state == fired && ls.alert.Profile == profile {
			out = append(out, ls.alert)
		}
	}
	slices.SortFunc(out, func(a, b Alert) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// event fires a one-off rule once per window when it is enabled.
func (e *Engine) event(rule, profile, key, window string, at time.Time, a Alert) {
	if !slices.Contains(e.cfg.Events, rule) {
		return
	}
	a.Key, a.Profile, a.Window, a.At = key, profile, window, at
	e.fire(profile+"/"+key, a)
}

// fire sends a unless another process (or this one) already did. When the
// shared state cannot be read, it sends: a repeated alert beats a lost one.
func (e *Engine) fire(id string, a Alert) {
	send, err := e.store.fire(id, a.Window, a.At)
	if err != nil {
		e.log.Warn("alerts: cannot read shared state; sending anyway", "err", err)
		send = true
	}
	if send {
		e.send(a)
	}
}

// stamp gives an undated event the current time: a zero time would sort
// before every record and never fire.
func (e *Engine) stamp(at time.Time) time.Time {
	if at.IsZero() {
		return e.now()
	}
	return at
}

func hour(t time.Time) string { return t.UTC().Truncate(time.Hour).Format(time.RFC3339) }

// num prints credits without float noise: 12, 12.5, 0.25.
func num(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// clean makes server-supplied text safe for a terminal, a notification or
// a chat line: control characters become spaces, and it is kept short.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}
