package main

import (
	"fmt"

	"github.com/abtop-dev/abtop/apiclient/budget/redisbudget"
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
