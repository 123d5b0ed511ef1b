package main

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// queueUnavailable is the dashboard's reason for monitoring without a
// queue: the cause in words and what to do about it.
func queueUnavailable(path string, err error) string {
	const off = "the job queue is off, monitoring only: "
	switch {
	case errors.Is(err, queue.ErrJournalInUse):
		return off + path + " is in use by another abtop (a running abtop submit?); wait for it to finish and restart, or pass --journal FILE for a queue of this dashboard's own"
	case errors.Is(err, syscall.EROFS):
		return off + "cannot write " + path + " (read-only file system); pass --journal FILE on a writable disk"
	case errors.Is(err, fs.ErrPermission):
		return off + "cannot write " + path + " (permission denied); make its directory writable, or pass --journal FILE"
	}
	return off + err.Error() + "; --journal FILE picks another journal"
}

// heldNotices are the dashboard's words for jobs in the journal that
// belong to another endpoint or token.
func heldNotices(held []queue.Held) []string {
	var out []string
	for _, h := range held {
		n := fmt.Sprintf("%d unfinished job(s) in the journal were queued for %s: not sent from here; abtop jobs lists them", h.Unfinished, describeOwner(h.Owner))
		if h.Owner.Endpoint != "" {
			n += ", abtop jobs discard --endpoint " + h.Owner.Endpoint + " drops them"
		}
		out = append(out, n)
	}
	return out
}
