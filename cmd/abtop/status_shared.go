package main

import (
	"fmt"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget/redisbudget"
	"github.com/abtop-dev/abtop/batches"
	"github.com/abtop-dev/abtop/internal/format"
)

// What status shows of the other abtop processes: the shared budget and
// the batches they run.
// limiterLine is status's view of the shared budget: how many submitters
// split the org's limits right now (status itself does not count).
func limiterLine(st redisbudget.Status) string {
	if !st.Connected {
		return fmt.Sprintf("redis unreachable (%s): submitters fall back to a local share · org %q · %s", st.Error, st.Org, st.URL)
	}
	if st.Peers == 0 {
		return fmt.Sprintf("shared via redis · no submitter running · org %q · %s", st.Org, st.URL)
	}
	return fmt.Sprintf("shared via redis · %d %s · share 1/%d each · org %q · %s", st.Peers, format.Plural(st.Peers, "submitter", "submitters"), st.Peers, st.Org, st.URL)
}

// runningBatches lists the batches abtop processes of this machine run for
// org, newest first, without their job rows (status shows counts). A state
// directory that cannot be read means none can be shown, not an error.
func runningBatches(org string) []batches.Record {
	dir, err := batches.Dir(nil)
	if err != nil {
		return nil
	}
	list, err := batches.List(dir, org)
	if err != nil {
		return nil
	}
	for i := range list {
		list[i].Jobs = nil
	}
	return list
}

// batchLine is one batch in status's human output, e.g. "pid 4242 ·
// jobs.jsonl · 120/200 sent · running · shared locally · 2 processes".
func batchLine(b batches.Record) string {
	c := b.Counts
	line := fmt.Sprintf("pid %d · %s · %d/%d sent", b.PID, apiclient.Printable(b.Source), c.Finished, c.Total)
	if c.Failed > 0 {
		line += fmt.Sprintf(" (%d failed)", c.Failed)
	}
	line += " · " + b.State
	if b.Paused != "" {
		line += " " + apiclient.Printable(b.Paused)
	}
	if b.Share != "" {
		line += " · " + b.Share
	}
	return line
}
