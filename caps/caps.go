// Package caps is the arithmetic of the user's own spending caps (issue
// 14): per profile daily_credits, monthly_credits and daily_jobs, and a
// batch's --max-credits. The API enforces none of them, so abtop reserves
// each job's price against every cap before the write leaves and releases
// it when the job is refused without a charge or refunded.
//
// Everything here is a pure function of a Usage value and a clock reading,
// so a budget store can apply it atomically (in-process under a mutex, in
// Redis inside its transaction) exactly as it applies budget.State.
// Days and months are cut in Caps.Zone (local time by default), so a
// daylight-saving day is 23 or 25 hours long.
package caps

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Kind names a cap.
type Kind string

const (
	DailyCredits   Kind = "daily_credits"
	MonthlyCredits Kind = "monthly_credits"
	DailyJobs      Kind = "daily_jobs"
	BatchCredits   Kind = "batch_credits" // --max-credits, for one batch
)

// Caps are the limits; a zero value means "no cap".
type Caps struct {
	DailyCredits   float64
	MonthlyCredits float64
	DailyJobs      int64
	BatchCredits   float64
	Zone           *time.Location // day and month boundaries; nil: time.Local
}

// Validate rejects negative or non-finite caps.
func (c Caps) Validate() error {
	for _, v := range [...]float64{c.DailyCredits, c.MonthlyCredits, c.BatchCredits, float64(c.DailyJobs)} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("caps: daily_credits, monthly_credits, daily_jobs and --max-credits must be positive numbers (or 0 for none)")
		}
	}
	return nil
}

// None reports whether no cap is set.
func (c Caps) None() bool {
	return c.DailyCredits == 0 && c.MonthlyCredits == 0 && c.DailyJobs == 0 && c.BatchCredits == 0
}

func (c Caps) zone() *time.Location {
	if c.Zone == nil {
		return time.Local
	}
	return c.Zone
}

// Usage is what has been reserved against the caps: the value a budget
// store keeps. Day and Month name the periods the counters belong to
// ("2026-11-29", "2026-11" in the caps' zone); a reservation in a later
// period starts the counters afresh.
type Usage struct {
	Day          string  `json:"day,omitempty"`
	Month        string  `json:"month,omitempty"`
	DayCredits   float64 `json:"day_credits"`
	DayJobs      int64   `json:"day_jobs"`
	MonthCredits float64 `json:"month_credits"`
	BatchCredits float64 `json:"batch_credits"`
}

// Reservation is one job's hold on the caps; Release gives it back.
type Reservation struct {
	Price float64
	Day   string
	Month string
}

// Reached says which cap stops a job and when it lifts.
type Reached struct {
	Kind  Kind
	Cap   float64 // the cap
	Used  float64 // reserved so far in its period
	Price float64 // what the job would add
	// Lifts is when the period ends (zero for the batch cap, which never
	// lifts by itself). Never is set when the job's price alone exceeds the
	// cap: waiting does not help.
	Lifts time.Time
	Never bool
	Zone  *time.Location
	// Shared is set when the job fits the cap but not this process's share
	// of it while the shared store is unreachable (see OverShare): waiting
	// for the store helps, raising the cap is not needed. Share is that
	// share of the period's remaining, ShareUsed what this process has
	// reserved against it.
	Shared           bool
	Share, ShareUsed float64
}

// period returns the day and month keys of now in zone.
func period(now time.Time, zone *time.Location) (day, month string) {
	t := now.In(zone)
	return t.Format(time.DateOnly), t.Format("2006-01")
}

// Roll returns u with the counters of periods that have ended reset.
func Roll(u Usage, c Caps, now time.Time) Usage {
	day, month := period(now, c.zone())
	if u.Day != day {
		u.Day, u.DayCredits, u.DayJobs = day, 0, 0
	}
	if u.Month != month {
		u.Month, u.MonthCredits = month, 0
	}
	return u
}

// Reserve holds price against every cap. It returns the new usage and the
// reservation, or, when a cap would be exceeded, the usage unchanged
// (rolled over) and the cap that lifts last among those reached (the
// queue must wait for that one).
func Reserve(u Usage, c Caps, price float64, now time.Time) (Usage, Reservation, *Reached) {
	u = Roll(u, c, now)
	zone := c.zone()
	var worst *Reached
	consider := func(k Kind, limit, used, add float64, lifts time.Time) {
		if limit <= 0 || used+add <= limit+1e-9 {
			return
		}
		r := &Reached{Kind: k, Cap: limit, Used: used, Price: add, Lifts: lifts, Never: add > limit+1e-9, Zone: zone}
		if worst == nil || r.Never && !worst.Never || r.Never == worst.Never && later(r.Lifts, worst.Lifts) {
			worst = r
		}
	}
	consider(DailyCredits, c.DailyCredits, u.DayCredits, price, nextDay(now, zone))
	consider(DailyJobs, float64(c.DailyJobs), float64(u.DayJobs), 1, nextDay(now, zone))
	consider(MonthlyCredits, c.MonthlyCredits, u.MonthCredits, price, nextMonth(now, zone))
	consider(BatchCredits, c.BatchCredits, u.BatchCredits, price, time.Time{})
	if worst != nil {
		return u, Reservation{}, worst
	}
	u.DayCredits += price
	u.DayJobs++
	u.MonthCredits += price
	u.BatchCredits += price
	return u, Reservation{Price: price, Day: u.Day, Month: u.Month}, nil
}

// Larger returns, period by period, the more spent of two views of the
// same usage (a shared store recreated from a stale view must not forget
// what was reserved since).
func Larger(a, b Usage) Usage {
	if b.Day == a.Day {
		a.DayCredits, a.DayJobs = max(a.DayCredits, b.DayCredits), max(a.DayJobs, b.DayJobs)
	} else if b.Day > a.Day {
		a.Day, a.DayCredits, a.DayJobs = b.Day, b.DayCredits, b.DayJobs
	}
	if b.Month == a.Month {
		a.MonthCredits = max(a.MonthCredits, b.MonthCredits)
	} else if b.Month > a.Month {
		a.Month, a.MonthCredits = b.Month, b.MonthCredits
	}
	a.BatchCredits = max(a.BatchCredits, b.BatchCredits)
	return a
}

// later orders lift times with "never by itself" (zero) last.
func later(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() && !b.IsZero()
	}
	return a.After(b)
}

// Release gives a reservation back (the job was refused without a charge,
// or failed or was canceled and refunded). Counters of a period that has
// since ended are not touched: they were reset already.
func Release(u Usage, r Reservation) Usage {
	if r.Day != "" && r.Day == u.Day {
		u.DayCredits = max(u.DayCredits-r.Price, 0)
		u.DayJobs = max(u.DayJobs-1, 0)
	}
	if r.Month != "" && r.Month == u.Month {
		u.MonthCredits = max(u.MonthCredits-r.Price, 0)
	}
	if r != (Reservation{}) { // a batch has no period: always given back
		u.BatchCredits = max(u.BatchCredits-r.Price, 0)
	}
	return u
}

func nextDay(now time.Time, zone *time.Location) time.Time {
	t := now.In(zone)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, zone)
}

func nextMonth(now time.Time, zone *time.Location) time.Time {
	t := now.In(zone)
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, zone)
}

// Error makes a Reached usable as an error.
func (r *Reached) Error() string { return r.Message(time.Time{}) }

// Message says why the queue pauses and when it goes on, e.g.
// "daily credit cap 500 reached · lifts 00:00 in 3h 12m". now zero leaves
// the countdown out.
func (r Reached) Message(now time.Time) string {
	var what string
	switch r.Kind {
	case DailyCredits:
		what = "daily credit cap " + amount(r.Cap)
	case MonthlyCredits:
		what = "monthly credit cap " + amount(r.Cap)
	case DailyJobs:
		what = "daily job cap " + amount(r.Cap)
	default:
		what = "batch credit cap " + amount(r.Cap) + " (--max-credits)"
	}
	if r.Never {
		return fmt.Sprintf("%s is below this job's price %s: raise the cap", what, amount(r.Price))
	}
	if r.Shared {
		return fmt.Sprintf("%s · cap share while Redis is away: %s here, %s used, this job %s · goes on when Redis is back",
			what, amount(r.Share), amount(r.ShareUsed), amount(r.Price))
	}
	s := what + " reached"
	if r.Lifts.IsZero() {
		return s + " · raise it to go on"
	}
	zone := r.Zone
	if zone == nil {
		zone = time.Local
	}
	at := r.Lifts.In(zone)
	when := at.Format("15:04")
	if r.Kind == MonthlyCredits {
		when = at.Format("2 Jan 15:04")
	}
	if zone != time.Local {
		when += " " + at.Format("MST")
	}
	s += " · lifts " + when
	if !now.IsZero() {
		s += " in " + countdown(r.Lifts.Sub(now))
	}
	return s
}

func amount(f float64) string {
	return fmt.Sprint(math.Round(f*100) / 100)
}

// countdown is "3h 12m", "2d 4h", "45m", "30s" (the dashboard's style).
func countdown(d time.Duration) string {
	d = max(d, 0)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Round(time.Minute)/time.Minute))
	case d < 24*time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh %dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	d = d.Round(time.Hour)
	return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}
