package caps

import (
	"fmt"
	"time"
)

// Line is one cap's state for a person: what it allows, what is used in
// its period and whether a batch of need credits and jobs fits.
type Line struct {
	Kind  Kind    `json:"kind"`
	Cap   float64 `json:"cap"`
	Used  float64 `json:"used"`
	Need  float64 `json:"need"`
	Fits  bool    `json:"fits"`
	Lifts string  `json:"lifts,omitempty"` // RFC 3339; empty for the batch cap
	Zone  string  `json:"zone"`
}

// Lines lists every cap set in c against the usage u (rolled to now) for a
// batch of need credits in jobs jobs.
func Lines(c Caps, u Usage, now time.Time, need float64, jobs int) []Line {
	u = Roll(u, c, now)
	zone := c.zone()
	var out []Line
	add := func(k Kind, limit, used, want float64, lifts time.Time) {
		if limit <= 0 {
			return
		}
		l := Line{Kind: k, Cap: limit, Used: used, Need: want, Fits: used+want <= limit+1e-9, Zone: zone.String()}
		if !lifts.IsZero() {
			l.Lifts = lifts.Format(time.RFC3339)
		}
		out = append(out, l)
	}
	add(DailyCredits, c.DailyCredits, u.DayCredits, need, nextDay(now, zone))
	add(DailyJobs, float64(c.DailyJobs), float64(u.DayJobs), float64(jobs), nextDay(now, zone))
	add(MonthlyCredits, c.MonthlyCredits, u.MonthCredits, need, nextMonth(now, zone))
	add(BatchCredits, c.BatchCredits, 0, need, time.Time{})
	return out
}

// String is "daily credit cap 500: 120 used, this batch 450 · exceeds it".
func (l Line) String() string {
	names := map[Kind]string{DailyCredits: "daily credit cap", MonthlyCredits: "monthly credit cap", DailyJobs: "daily job cap", BatchCredits: "batch credit cap (--max-credits)"}
	s := fmt.Sprintf("%s %s: %s used, this batch %s", names[l.Kind], amount(l.Cap), amount(l.Used), amount(l.Need))
	if l.Fits {
		return s + " · fits"
	}
	return s + fmt.Sprintf(" · exceeds it: the queue pauses after %s", amount(max(l.Cap-l.Used, 0)))
}
