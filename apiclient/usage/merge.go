package usage

// merge folds limits that describe the same dimension into one. ls is
// ordered most specific family first (see Parse); the first limit of a
// dimension wins and later ones only fill the fields it lacks. Two limits
// are the same dimension when they have the same unit, their scopes agree
// (equal, or one unknown), and neither their windows nor their limits
// disagree (a 60/minute and a 5000/day requests limit are two dimensions).
func merge(ls []Limit) []Limit {
	out := make([]Limit, 0, len(ls))
next:
	for _, l := range ls {
		for i := range out {
			if sameDimension(out[i], l) {
				fill(&out[i], l)
				continue next
			}
		}
		out = append(out, l)
	}
	sortLimits(out)
	return out
}

func sameDimension(a, b Limit) bool {
	switch {
	case a.Unit != b.Unit:
		return false
	case a.Scope != "" && b.Scope != "" && a.Scope != b.Scope:
		return false
	case a.Window != nil && b.Window != nil && *a.Window != *b.Window:
		return false
	case a.Limit != nil && b.Limit != nil && *a.Limit != *b.Limit:
		return false
	}
	return true
}

// fill copies into dst what src knows and dst does not.
func fill(dst *Limit, src Limit) {
	if dst.Limit == nil {
		dst.Limit = src.Limit
	}
	if dst.Remaining == nil {
		dst.Remaining = src.Remaining
	}
	if dst.Used == nil {
		dst.Used = src.Used
	}
	if dst.ResetAfter == nil {
		dst.ResetAfter = src.ResetAfter
	}
	if dst.Window == nil {
		dst.Window = src.Window
	}
	if dst.Scope == "" {
		dst.Scope = src.Scope
	}
	if dst.Cost == nil {
		dst.Cost = src.Cost
	}
	if dst.RestoreRate == nil {
		dst.RestoreRate = src.RestoreRate
	}
}

// binding returns the index of the most constrained limit: the lowest
// remaining/limit fraction, a limit with nothing remaining counting as 0 even
// when its size is unknown. Ties go to requests, then to the earlier limit.
// -1 when no limit has a known fraction.
func binding(ls []Limit) int {
	best, bestScore := -1, 2.0
	for i, l := range ls {
		f := l.Fraction()
		if f < 0 {
			if l.Remaining == nil || *l.Remaining != 0 {
				continue
			}
			f = 0
		}
		switch {
		case f < bestScore:
			best, bestScore = i, f
		case f == bestScore && l.Unit == UnitRequests && ls[best].Unit != UnitRequests:
			best = i
		}
	}
	return best
}
