package caps

import (
	"math"
	"time"
)

// OverShare says whether a process that decides alone (the shared store is
// unreachable) went past its share of a cap with its last reservation.
// Every such process splits what each cap had left in the current period
// when it lost the store (base, the last shared usage it saw) with the
// others (peers, the last known number of processes): the shares add up to
// no more than what was left, so the usage they hand back at reconnect
// stays within the cap. after is the usage with the reservation of price
// made; it must fit c itself (Reserve judges that, and Never): a job over
// a share is never called never-fitting. Job shares round down, with no
// minimum of one as rate shares have: a cap is the user's promise, and
// progress can wait for the store.
//
// The batch cap is left out: it is one batch's, which runs in one process.
func OverShare(base, after Usage, c Caps, peers int, price float64, now time.Time) *Reached {
	peers = max(1, peers)
	zone := c.zone()
	var worst *Reached
	consider := func(k Kind, limit, baseUsed, used, add float64, round bool, lifts time.Time) {
		if limit <= 0 {
			return
		}
		share := max(0, limit-baseUsed) / float64(peers)
		if round {
			share = math.Floor(share + 1e-9)
		}
		own := used - baseUsed
		if own <= share+1e-9 {
			return
		}
		r := &Reached{Kind: k, Cap: limit, Used: used - add, Price: add, Lifts: lifts, Zone: zone,
			Shared: true, Share: share, ShareUsed: own - add}
		if worst == nil || later(r.Lifts, worst.Lifts) {
			worst = r
		}
	}
	var dayCredits, dayJobs, monthCredits float64
	if base.Day == after.Day { // else the day rolled since: all of it was left
		dayCredits, dayJobs = base.DayCredits, float64(base.DayJobs)
	}
	if base.Month == after.Month {
		monthCredits = base.MonthCredits
	}
	consider(DailyCredits, c.DailyCredits, dayCredits, after.DayCredits, price, false, nextDay(now, zone))
	consider(DailyJobs, float64(c.DailyJobs), dayJobs, float64(after.DayJobs), 1, true, nextDay(now, zone))
	consider(MonthlyCredits, c.MonthlyCredits, monthCredits, after.MonthCredits, price, false, nextMonth(now, zone))
	return worst
}
