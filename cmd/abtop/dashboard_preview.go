package main

import (
	"bytes"
	"context"
	"github.com/abtop-dev/abtop/history"
	"github.com/abtop-dev/abtop/session"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/caps"
	"github.com/abtop-dev/abtop/config"
)

// PreviewFile is the dashboard's dry run (tui.Previewer): the file's
// estimate and the caps it meets, as submit --dry-run prints them.
func (a *queueAdapter) PreviewFile(ctx context.Context, path string) ([]string, error) {
	parsed, models, err := a.readJobFile(ctx, path)
	if err != nil {
		return nil, err
	}
	sess := a.mon.sess
	e, limits, err := sess.Estimate(ctx, parsed, models)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := e.WriteText(&b, limits); err != nil {
		return nil, err
	}
	c := sess.Config.Caps
	var usage caps.Usage
	if st, err := sess.Store.Snapshot(ctx); err == nil {
		usage = st.CapUsage
	}
	if lines := caps.Lines(c, usage, sess.Now(), e.Credits, e.Jobs); len(lines) > 0 {
		b.WriteString("Caps (days in " + config.ZoneName(c.Zone) + "):\n")
		for _, l := range lines {
			b.WriteString("  " + l.String() + "\n")
		}
	}
	return strings.Split(strings.TrimRight(b.String(), "\n"), "\n"), nil
}

// historyChart is the zoomed chart's source (tui.ChartSource): this
// profile's history, as every abtop process recorded it.
type historyChart struct{ sess *session.Session }

func (h historyChart) Chart(_ context.Context, span time.Duration, n int, now time.Time) (history.Chart, error) {
	return h.sess.History.ChartOf(h.sess.Config.Profile, session.DefaultOrg(h.sess.Config), now.Add(-span), now, n)
}
