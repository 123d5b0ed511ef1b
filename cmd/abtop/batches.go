package main

// What abtop processes of this machine show each other of the batches they
// run (package batches publishes and follows them).

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/abtop-dev/abtop/apiclient"
	live "github.com/abtop-dev/abtop/batches"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/session"
)

// publishQueue publishes the dashboard's whole queue as its batch; what
// watchers ask of it shows in the dashboard itself, not on stderr.
func (a *app) publishQueue(cfg config.Config, sess *session.Session) (*live.Owner, error) {
	return publish(cfg, sess, "the dashboard", nil, nil)
}

// publishBatch publishes the batch for watchers on this machine.
func (a *app) publishBatch(cfg config.Config, sess *session.Session, source string, batch map[string]bool) (*live.Owner, error) {
	var log io.Writer = a.errOut
	if isTerminal(a.errOut) {
		// the progress bar is redrawn in place: clear it before the line
		log = prefixWriter{w: a.errOut, prefix: "\r\x1b[2K"}
	}
	return publish(cfg, sess, source, batch, log)
}

func publish(cfg config.Config, sess *session.Session, source string, batch map[string]bool, log io.Writer) (*live.Owner, error) {
	dir, err := live.Dir(nil)
	if err != nil {
		return nil, err
	}
	journal, err := filepath.Abs(sess.Journal.Path())
	if err != nil {
		journal = sess.Journal.Path()
	}
	return live.Own(live.OwnerOptions{
		Dir:   dir,
		Meta:  live.Record{Profile: cfg.Profile, Org: session.DefaultOrg(cfg), Source: source, Journal: journal},
		Queue: sess.Queue, Batch: batch,
		Share: func() string { return sess.Sharing().Text },
		Log:   log,
	})
}

// journalHolder names the process that holds the journal when it
// publishes what it runs.
func journalHolder(err error, journal string) error {
	dir, derr := live.Dir(nil)
	if derr != nil {
		return err
	}
	if r, ok := live.OnJournal(dir, journal); ok {
		return fmt.Errorf("%w: pid %d runs %s on it; let it finish or quit it, or give this submit another journal (the journal setting, ABTOP_JOURNAL)", err, r.PID, apiclient.Printable(r.Source))
	}
	return err
}

// runningBatches lists the batches abtop processes of this machine run for
// org, newest first, without their job rows (status shows counts). A state
// directory that cannot be read means none can be shown, not an error.
func runningBatches(org string) []live.Record {
	dir, err := live.Dir(nil)
	if err != nil {
		return nil
	}
	list, err := live.List(dir, org)
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
func batchLine(b live.Record) string {
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

// otherBatches is the dashboard header's line about the batches other
// processes run for org, e.g. "other batch: jobs.jsonl 12/200 sent"; ""
// when none.
func otherBatches(org string) string {
	var parts []string
	for _, b := range runningBatches(org) {
		if b.PID == os.Getpid() || !b.Alive {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d/%d sent", apiclient.Printable(filepath.Base(b.Source)), b.Counts.Finished, b.Counts.Total))
	}
	if len(parts) == 0 {
		return ""
	}
	return format.Plural(len(parts), "other batch: ", fmt.Sprintf("%d other batches: ", len(parts))) + strings.Join(parts, " · ")
}
