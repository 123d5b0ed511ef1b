package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/abtop-dev/abtop/caps"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/session"
)

// runDryRun estimates FILE without queuing or sending anything: no journal
// is opened, and the only requests are /v1/models and /v1/balance.
func (a *app) runDryRun(ctx context.Context, cfg config.Config, file string, f submitFlags) error {
	if f.resume {
		return fmt.Errorf("submit: --dry-run estimates a FILE; it cannot be combined with --resume")
	}
	in, name, done, err := a.jobInput(file)
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	defer done()
	sess, err := session.Open(ctx, session.Options{Config: cfg, Version: version, Log: limiterLog(a.errOut), History: a.historyPath(), ClockOffset: testClockOffset()})
	if err != nil {
		return err
	}
	defer sess.Close()
	parsed, models, err := a.parseJobs(ctx, sess, in, name, f.skipInvalid)
	if err != nil {
		return err
	}
	e, limits, err := sess.Estimate(ctx, parsed, models)
	if err != nil {
		return fmt.Errorf("submit: reading the balance: %w", err)
	}
	c := cfg.Caps
	c.BatchCredits = f.maxCredits
	var usage caps.Usage
	if st, err := sess.Store.Snapshot(ctx); err == nil {
		usage = st.CapUsage
	}
	lines := caps.Lines(c, usage, sess.Now(), e.Credits, e.Jobs)
	if f.json {
		return json.NewEncoder(a.out).Encode(dryRunJSON{Estimate: jsonOf(e), Caps: lines})
	}
	if err := e.WriteText(a.out, limits); err != nil {
		return err
	}
	if len(lines) > 0 {
		fmt.Fprintf(a.out, "\nCaps (days in %s):\n", config.ZoneName(c.Zone))
		for _, l := range lines {
			fmt.Fprintln(a.out, "  "+l.String())
		}
	}
	return nil
}

// dryRunJSON is --dry-run --json: the estimate's own JSON and the caps.
type dryRunJSON struct {
	Estimate json.RawMessage `json:"estimate"`
	Caps     []caps.Line     `json:"caps"`
}

func jsonOf(e estimate.Estimate) json.RawMessage {
	var b bytes.Buffer
	_ = e.WriteJSON(&b)
	return bytes.TrimSpace(b.Bytes())
}

// jobInput opens the batch FILE, or standard input when file is "" or "-";
// name says which in messages, done closes what was opened.
func (a *app) jobInput(file string) (in io.Reader, name string, done func(), err error) {
	if file == "" || file == "-" {
		return a.in, "standard input", func() {}, nil
	}
	fh, err := os.Open(file)
	if err != nil {
		return nil, "", nil, err
	}
	return fh, file, func() { fh.Close() }, nil
}
