package main

import (
	"fmt"
	"io"

	"github.com/abtop-dev/abtop/apiclient/queue"
)

// describeOwner is an owner in words: "http://127.0.0.1:8080 (token ab_…wxyz)".
func describeOwner(o queue.Owner) string {
	if o.Endpoint == "" && o.Org == "" {
		return "an unrecorded endpoint (queued by an older abtop)"
	}
	tok := o.Token
	if tok == "" {
		tok = o.Org
	}
	return fmt.Sprintf("%s (token %s)", o.Endpoint, tok)
}

// printHeld says plainly which jobs in the journal this run will not send,
// whom they belong to, and how to send or drop them.
func printHeld(w io.Writer, journal string, mine queue.Owner, held []queue.Held) {
	for _, h := range held {
		fmt.Fprintf(w, "abtop: not sending %d unfinished job(s) in %s: they were queued for %s; this run talks to %s\n",
			h.Unfinished, journal, describeOwner(h.Owner), describeOwner(mine))
		if h.Owner.Endpoint != "" {
			fmt.Fprintf(w, "  to send them:  abtop submit --resume --base-url %s   (with token %s)\n", h.Owner.Endpoint, h.Owner.Token)
			fmt.Fprintf(w, "  to drop them:  abtop jobs discard --endpoint %s\n", h.Owner.Endpoint)
		} else {
			fmt.Fprintf(w, "  to drop them:  abtop jobs discard --others\n")
		}
	}
}
