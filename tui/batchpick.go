// The batch picker: b lists the batches other abtop processes of this
// machine run (and those that ended while the dashboard watched); enter
// shows the chosen one in the jobs pane, where pause, resume and cancel act
// on it through its owner, as for a journal held by a running submit. The
// first row leads back to the dashboard's own queue.

package tui

import (
	"context"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/picker"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// BatchSource is the batches of other abtop processes as the picker uses
// them. Both methods may do I/O and are only ever called from a tea.Cmd.
type BatchSource interface {
	// Batches lists running and recently ended batches, newest first.
	Batches(ctx context.Context) ([]data.Batch, error)
	// Follow presents batch id as a Queue until ctx ends: its jobs and
	// state as the owner publishes them, its commands sent to the owner.
	Follow(ctx context.Context, id string) Queue
}

// shownBatch is another process's batch shown in the jobs pane.
type shownBatch struct {
	id     string
	own    Queue // the dashboard's own queue, shown again on the way back
	cancel context.CancelFunc
	// ownPending is the own queue's unfinished jobs when it was left: q
	// still asks before leaving them
	ownPending int
}

// ownPending is how many of the dashboard's own jobs quitting would leave
// unfinished: none of another process's batch (quitting leaves it be).
func (m *Model) ownPending() int {
	switch {
	case m.shown != nil:
		return m.shown.ownPending
	case m.queue.Owner != "":
		return 0
	}
	return m.unfinished()
}

type (
	batchListMsg struct {
		list []data.Batch
		err  error
	}
	batchFollowMsg struct {
		gen    int
		id     string
		q      Queue
		cancel context.CancelFunc
	}
	batchEventsMsg struct {
		gen    int
		events []QueueEvent
	}
	batchGoneMsg struct{ gen int }
)

func batchListCmd(ctx context.Context, src BatchSource) tea.Cmd {
	return func() tea.Msg {
		l, err := src.Batches(ctx)
		return batchListMsg{l, err}
	}
}

func listenBatch(gen int, ch <-chan QueueEvent) tea.Cmd {
	return func() tea.Msg {
		e, ok := <-ch
		if !ok {
			return batchGoneMsg{gen}
		}
		return batchEventsMsg{gen, drain(ch, e)}
	}
}

// openPicker opens the list and asks for its rows.
func (m *Model) openPicker() tea.Cmd {
	if m.opts.Batches == nil {
		m.setStatus(styles.Unknown, "no batches of other abtop processes can be listed here")
		return nil
	}
	cur := ""
	if m.shown != nil {
		cur = m.shown.id
	}
	m.pick = picker.New(cur)
	m.overlay = pickOverlay
	return batchListCmd(m.ctx, m.opts.Batches)
}

// onPickKey moves through the list; enter shows the selected row.
func (m *Model) onPickKey(msg tea.Msg) tea.Cmd {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := m.keys
	switch {
	case key.Matches(kp, k.Back), key.Matches(kp, k.Batches):
		m.overlay = noOverlay
	case key.Matches(kp, k.Up):
		m.pick.Move(-1)
	case key.Matches(kp, k.Down):
		m.pick.Move(1)
	case key.Matches(kp, k.Top):
		m.pick.Move(-1 << 20)
	case key.Matches(kp, k.Bottom):
		m.pick.Move(1 << 20)
	case kp.Code == tea.KeyEnter:
		it, ok := m.pick.Selected()
		if !ok {
			return nil
		}
		m.overlay = noOverlay
		if it.Back {
			return m.showOwn()
		}
		return m.showBatch(it.Batch)
	}
	return nil
}

// showBatch starts following b; the jobs pane switches when it answers.
func (m *Model) showBatch(b data.Batch) tea.Cmd {
	if m.shown != nil && m.shown.id == b.ID {
		return nil
	}
	m.batchGen++
	gen, src := m.batchGen, m.opts.Batches
	ctx, cancel := context.WithCancel(m.ctx)
	m.setStatus(styles.Calm, "showing "+text.Clean(b.Source)+" (pid "+strconv.Itoa(b.PID)+") in the jobs pane · b lists the others")
	return func() tea.Msg {
		return batchFollowMsg{gen: gen, id: b.ID, q: src.Follow(ctx, b.ID), cancel: cancel}
	}
}

// showOwn goes back to the dashboard's own queue.
func (m *Model) showOwn() tea.Cmd {
	if m.shown == nil {
		return nil
	}
	m.shown.cancel()
	m.opts.Queue = m.shown.own
	m.shown = nil
	m.batchGen++ // the follow's last events are dropped
	m.jobs.Set(nil)
	m.queue = QueueState{}
	m.lastResync = m.now
	if m.opts.Queue == nil {
		return nil
	}
	return queueInitCmd(m.opts.Queue)
}

// onBatchMsg handles the picker's messages, and the own queue's events
// while another batch is shown (their rows and state are dropped: the own
// queue's jobs are reloaded whole on the way back; their file news and
// log lines are kept); ok is false for any other message.
func (m *Model) onBatchMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case batchListMsg:
		var items []picker.Item
		if m.shown != nil {
			items = append(items, picker.Item{Back: true, Label: "← back to this dashboard's own queue"})
		}
		for _, b := range msg.list {
			items = append(items, picker.Item{Batch: b})
		}
		m.pick.Set(items, msg.err)
		return nil, true
	case batchFollowMsg:
		if msg.gen != m.batchGen {
			msg.cancel() // a later choice won
			return nil, true
		}
		own, pending := m.opts.Queue, m.ownPending()
		if m.shown != nil {
			own = m.shown.own
			m.shown.cancel()
		}
		m.shown = &shownBatch{id: msg.id, own: own, cancel: msg.cancel, ownPending: pending}
		m.opts.Queue = msg.q
		m.jobs.Set(nil)
		m.lastResync = m.now
		return tea.Batch(queueInitCmd(msg.q), listenBatch(msg.gen, msg.q.Events())), true
	case batchEventsMsg:
		if msg.gen != m.batchGen {
			return nil, true // an earlier batch's: no longer shown, not listened to again
		}
		for _, e := range msg.events {
			m.onQueueEvent(e)
		}
		return listenBatch(msg.gen, m.opts.Queue.Events()), true
	case batchGoneMsg:
		return nil, true
	case queueMsg:
		if m.shown == nil {
			return nil, false
		}
		for _, e := range msg {
			m.onQueueNews(e) // files and log lines; the rows come whole on the way back
		}
		if own := m.shown.own; own != nil {
			return listenQueue(own.Events()), true
		}
		return nil, true
	}
	return nil, false
}

// batchesLine is the header's line about other processes' batches, with
// the key that lists them.
func (m *Model) batchesLine() string {
	if m.batches == "" || m.opts.Batches == nil || !m.keys.Batches.Enabled() {
		return m.batches
	}
	return m.batches + " (" + m.keys.Batches.Help().Key + " lists them)"
}

// pickLines is the picker drawn in the lower area.
func (m *Model) pickLines(w, h int) []string {
	return m.pick.View(w, h, m.st)
}
