package caps

// Delta is what one holder of a copy of a shared Usage reserved, net of
// what it released, since it took the copy: a process that decided alone
// while the shared store was unreachable hands it back on reconnect, so
// what it reserved meanwhile is not forgotten. Negative amounts are
// releases of reservations counted in the copy.
type Delta struct {
	Day          string
	DayCredits   float64
	DayJobs      int64
	Month        string
	MonthCredits float64
	BatchCredits float64
}

// Since is the delta from base (the copy) to now (the copy after this
// holder's own reservations and releases). A period that rolled over in
// between counts whole: everything in the new period is this holder's.
func Since(base, now Usage) Delta {
	d := Delta{Day: now.Day, Month: now.Month, BatchCredits: now.BatchCredits - base.BatchCredits}
	d.DayCredits, d.DayJobs = now.DayCredits, now.DayJobs
	if now.Day == base.Day {
		d.DayCredits, d.DayJobs = now.DayCredits-base.DayCredits, now.DayJobs-base.DayJobs
	}
	d.MonthCredits = now.MonthCredits
	if now.Month == base.Month {
		d.MonthCredits = now.MonthCredits - base.MonthCredits
	}
	return d
}

// Apply adds d to u, the shared usage as it is now: to the same period
// as is, to a period u has not reached yet by starting it, and not at all
// to a period u has already left (it is over: its counters were reset).
// Counters never go below zero.
func (d Delta) Apply(u Usage) Usage {
	if d.DayCredits != 0 || d.DayJobs != 0 {
		switch {
		case u.Day == d.Day:
			u.DayCredits, u.DayJobs = max(u.DayCredits+d.DayCredits, 0), max(u.DayJobs+d.DayJobs, 0)
		case u.Day < d.Day: // period keys sort by time
			u.Day, u.DayCredits, u.DayJobs = d.Day, max(d.DayCredits, 0), max(d.DayJobs, 0)
		}
	}
	if d.MonthCredits != 0 {
		switch {
		case u.Month == d.Month:
			u.MonthCredits = max(u.MonthCredits+d.MonthCredits, 0)
		case u.Month < d.Month:
			u.Month, u.MonthCredits = d.Month, max(d.MonthCredits, 0)
		}
	}
	u.BatchCredits = max(u.BatchCredits+d.BatchCredits, 0)
	return u
}
