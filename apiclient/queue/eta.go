package queue

import (
	"context"
	"math"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// PaceETA is how long until left more jobs (perJob rate units each) can
// have gone out at the pace of the rate window: what is left of this
// window now, then a window's share per window. A burst in the first
// window says nothing about the rest. ok is false when the window is not
// known yet, or when the monthly quota runs out before the jobs do (the
// wait is then until the quota resets, not a pace).
func PaceETA(st budget.State, left int, perJob int64, now time.Time) (time.Duration, bool) {
	if !st.Known || st.Limit <= 0 || st.Window <= 0 {
		return 0, false
	}
	if st.QuotaKnown && st.QuotaRemaining < int64(left) {
		return 0, false
	}
	perJob = max(perJob, 1)
	start := time.Duration(0)
	if st.Embargo.After(now) {
		start = st.Embargo.Sub(now)
	}
	need := int64(left) * perJob
	if need <= max(st.Remaining, 0) {
		return start, true
	}
	share := st.Share
	if share <= 0 || share > 1 {
		share = 1
	}
	perWindow := max(int64(math.Floor(float64(st.Limit)*share)), perJob)
	windows := (need - max(st.Remaining, 0) + perWindow - 1) / perWindow // refills needed
	refill := max(st.EndHi.Sub(now), 0)
	return max(start, refill+time.Duration(windows-1)*st.Window), true
}

// PaceETA is PaceETA for the scheduler's budget, at what a job creation
// was last seen to cost and on the budget's clock.
func (s *Scheduler) PaceETA(left int) (time.Duration, bool) {
	st, err := s.opts.Store.Snapshot(context.Background())
	if err != nil {
		return 0, false
	}
	perJob, _ := s.cost(KindCreate)
	return PaceETA(st, left, perJob, s.opts.Now())
}
