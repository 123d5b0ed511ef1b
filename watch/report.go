package watch

import (
	"strconv"
	"time"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/monitor"
)

// usageAttrs are a poll's numbers as log attributes: the binding rate
// limit, the monthly quota and the credits, as far as the response said.
func usageAttrs(res monitor.Result) []any {
	var out []any
	s := res.Snapshot
	if l, ok := s.BindingLimit(); ok && l.Limit != nil && l.Remaining != nil {
		out = append(out, "rate", strconv.FormatInt(*l.Remaining, 10)+"/"+strconv.FormatInt(*l.Limit, 10)+" "+l.Unit)
	}
	if q := s.Quota; q != nil && q.Limit != nil && q.Remaining != nil {
		out = append(out, "quota", strconv.FormatInt(*q.Remaining, 10)+"/"+strconv.FormatInt(*q.Limit, 10))
	}
	switch {
	case s.Credits != nil:
		out = append(out, "credits", format.Credits(*s.Credits))
	case res.Balance != nil:
		out = append(out, "credits", format.Credits(res.Balance.Credits))
	}
	return out
}

// perHour is the watch's own request rate so far, the cost of watching.
func perHour(n int, elapsed time.Duration) string {
	if elapsed < time.Minute {
		return "n/a"
	}
	return strconv.FormatFloat(float64(n)/elapsed.Hours(), 'f', 1, 64)
}
