// Polling: the refresh cycle (one poll in flight, ticks that cannot
// multiply, embargoes waited out) and what a poll or an observation
// teaches the display.

package tui

import (
	"fmt"
	"github.com/abtop-dev/abtop/tui/text"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/monitor/cadence"
	"github.com/abtop-dev/abtop/tui/logview"
	"github.com/abtop-dev/abtop/tui/styles"
)

// resyncEvery is how often the whole job list is reloaded from the queue.
const resyncEvery = 30 * time.Second

// pollInterval is the configured interval, slowed when the rate budget is
// short so the monitor never competes with the user's own jobs.
func (m *Model) pollInterval() time.Duration {
	frac := -1.0
	if r := m.usage.Rate; r != nil {
		if l, ok := r.BindingLimit(); ok {
			frac = l.Fraction()
		}
	}
	return cadence.Next(m.opts.PollInterval, frac)
}

func (m *Model) onPollTick(msg pollTickMsg) tea.Cmd {
	if msg.gen != m.pollGen || m.inFlight {
		return nil // stale tick or a poll already running: never a second chain
	}
	if m.opts.Monitor == nil {
		return nil
	}
	if m.usage.Embargoed(m.now) {
		// the server asked for quiet: not even a poll before it ends
		return pollTickCmd(m.pollGen, m.usage.EmbargoUntil.Sub(m.now)+50*time.Millisecond)
	}
	m.inFlight = true
	return pollCmd(m.ctx, m.opts.Monitor, m.pollGen)
}

func (m *Model) onPollDone(msg pollDoneMsg) tea.Cmd {
	m.inFlight = false
	m.usage.OwnRequests(m.now, max(0, msg.res.Requests))
	if msg.err != nil {
		m.pollErr = msg.err
		m.log.Add(logview.Entry{At: m.now, Level: styles.Critical, Text: "poll failed: " + describe(msg.err) + " · abtop polls again in " + format.Duration(m.pollInterval())})
	} else {
		m.pollErr = nil
		m.lastPoll = m.now
		r := msg.res
		if r.Balance != nil {
			m.usage.SetPlan(r.Balance.Plan)
			if m.usage.Credits == nil || !m.usage.Credits.At.After(m.now) {
				m.usage.SetCredits(r.Balance.Credits, m.now, "balance")
			}
		}
		if m.opts.Observations == nil {
			m.usage.Observe(apiclient.Observation{Status: 200, Snapshot: r.Snapshot}, m.now)
		}
		if r.Concurrency > 0 {
			m.conc = r.Concurrency
		}
		m.runningAPI = r.Running
		m.limiter = r.Limiter
		m.batches = text.Clean(r.Batches) // file names other processes chose
		m.caps = r.Caps
		m.usage.ExtendEmbargo(r.Embargo)
	}
	next := m.pollInterval()
	if m.usage.Embargoed(m.now) {
		next = max(next, m.usage.EmbargoUntil.Sub(m.now)+50*time.Millisecond)
	}
	m.nextPoll = m.now.Add(next)
	tick := pollTickCmd(m.pollGen, next)
	// the queue's event stream drops events for a slow reader rather than
	// stall the queue; a periodic full reload makes sure nothing stays wrong
	if m.opts.Queue != nil && m.now.Sub(m.lastResync) >= resyncEvery {
		m.lastResync = m.now
		return tea.Batch(tick, queueInitCmd(m.opts.Queue))
	}
	return tick
}

// refresh polls now unless a poll is already in flight.
func (m *Model) refresh() tea.Cmd {
	if m.opts.Monitor == nil {
		m.setStatus(styles.Warning, "no API client: nothing to refresh")
		return nil
	}
	if m.inFlight {
		m.setStatus(styles.Unknown, "refresh already in flight")
		return nil
	}
	if m.usage.Embargoed(m.now) {
		m.setStatus(styles.Warning, "not refreshing: the server asked for no requests until "+m.usage.EmbargoUntil.Format("15:04:05"))
		return nil
	}
	m.pollGen++ // the pending tick of the old generation will be dropped
	m.inFlight = true
	return pollCmd(m.ctx, m.opts.Monitor, m.pollGen)
}

func (m *Model) observe(o apiclient.Observation) {
	m.usage.Observe(o, m.now)
	lvl := styles.Calm
	switch {
	case o.Status == 429 || o.Status == 402 || o.Status >= 500 || o.Status == 0:
		lvl = styles.Critical
	case o.Status >= 400:
		lvl = styles.Warning
	}
	lat := format.Duration(o.Latency)
	if o.Latency < time.Millisecond {
		lat = "<1ms"
	}
	line := fmt.Sprintf("%s %s → %d · %s", o.Method, o.Path, o.Status, lat)
	if o.Status == 0 {
		line = fmt.Sprintf("%s %s → no response", o.Method, o.Path)
	}
	if o.Err != nil {
		line += " · " + describe(o.Err)
	}
	at := o.Snapshot.Received
	if at.IsZero() {
		at = m.now
	}
	m.log.Add(logview.Entry{At: at, Level: lvl, Text: line})
}
