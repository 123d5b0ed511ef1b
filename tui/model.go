package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/form"
	"github.com/abtop-dev/abtop/tui/jobs"
	"github.com/abtop-dev/abtop/tui/keys"
	"github.com/abtop-dev/abtop/tui/logview"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
	"github.com/abtop-dev/abtop/tui/usagestate"
)

// pane is which part of the screen has the keyboard.
type pane int

const (
	paneJobs pane = iota
	paneDetail
	paneLog
)

// overlay is a modal on top of the dashboard.
type overlay int

const (
	noOverlay overlay = iota
	helpOverlay
	addOverlay
	openOverlay
)

// Model is the root model.
type Model struct {
	opts  Options
	ctx   context.Context
	clock func() time.Time
	now   time.Time // the clock read at the last message; View uses only this

	width, height int
	isDark        bool
	noColor       bool
	st            styles.Styles
	keys          keys.KeyMap
	help          help.Model

	usage *usagestate.State
	jobs  jobs.Model
	log   logview.Model
	queue QueueState

	pollGen    int
	inFlight   bool
	lastResync time.Time
	lastPoll   time.Time
	pollErr    error
	nextPoll   time.Time      // when the next poll is due (shown after a failed one)
	conc       int            // concurrency from the poll, 0 unknown
	runningAPI int            // running jobs per the poll
	limiter    budget.Sharing // how the org budget is shared (zero when not), per the poll

	focus        pane
	showLog      bool
	overlay      overlay
	add          form.AddJob
	open         form.OpenFile
	detailScroll int

	confirmQuit bool
	footer      []key.Binding // the key hints that fit the width (set by layout)
	status      string
	statusLvl   styles.Level
	statusAt    time.Time
}

// New builds the dashboard. Keys that cannot be remapped are reported in
// the log (the defaults stay), never fatal.
func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 5 * time.Second
	}
	km, kerrs := keys.New(o.Keys)
	m := &Model{
		opts:    o,
		ctx:     o.Context,
		clock:   o.Now,
		isDark:  true,
		noColor: o.NoColor,
		keys:    km,
		help:    help.New(),
		usage:   usagestate.New(5*time.Second, 360),
		jobs:    jobs.New(),
		log:     logview.New(2000),
	}
	m.now = m.clock()
	m.restyle()
	for _, e := range kerrs {
		m.log.Add(logview.Entry{At: m.now, Level: styles.Warning, Text: "config: " + e.Error()})
	}
	for _, n := range o.Notices {
		m.setStatus(styles.Warning, n)
	}
	if o.Queue == nil && o.NoQueueReason != "" {
		m.setStatus(styles.Warning, o.NoQueueReason)
	}
	return m
}

func (m *Model) restyle() {
	m.st = styles.New(m.noColor, m.isDark)
	hs := help.DefaultStyles(m.isDark)
	if m.noColor {
		d := m.st.DimStyle
		hs = help.Styles{Ellipsis: d, ShortKey: m.st.KeyStyle, ShortDesc: d, ShortSeparator: d,
			FullKey: m.st.KeyStyle, FullDesc: d, FullSeparator: d}
	} else {
		hs.ShortKey, hs.FullKey = m.st.KeyStyle, m.st.KeyStyle
	}
	m.help.Styles = hs
}

// Init starts the frame clock, the first poll and the listeners.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{frameCmd(), pollTickCmd(0, 0), tea.RequestBackgroundColor}
	if m.opts.Observations != nil {
		cmds = append(cmds, listenObs(m.opts.Observations))
	}
	if q := m.opts.Queue; q != nil {
		cmds = append(cmds, queueInitCmd(q), listenQueue(q.Events()))
	}
	return tea.Batch(cmds...)
}

func (m *Model) setStatus(lvl styles.Level, s string) {
	s = text.Clean(s)
	m.status, m.statusLvl, m.statusAt = s, lvl, m.now
	m.log.Add(logview.Entry{At: m.now, Level: lvl, Text: s})
}

// resyncEvery is how often the whole job list is reloaded from the queue.
const resyncEvery = 30 * time.Second

// pollInterval is the configured interval, slowed when the rate budget is
// short so the monitor never competes with the user's own jobs.
func (m *Model) pollInterval() time.Duration {
	d := m.opts.PollInterval
	if r := m.usage.Rate; r != nil {
		if l, ok := r.BindingLimit(); ok {
			switch f := l.Fraction(); {
			case f >= 0 && f < 0.10:
				d *= 4
			case f >= 0 && f < 0.25:
				d *= 2
			}
		}
	}
	return d
}

// Update routes each message to the component that owns it.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.now = m.clock()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.isDark = msg.IsDark()
		m.restyle()
		return m, nil
	case frameMsg:
		return m, frameCmd()
	case pollTickMsg:
		return m, m.onPollTick(msg)
	case pollDoneMsg:
		return m, m.onPollDone(msg)
	case obsMsg:
		for _, o := range msg {
			m.observe(o)
		}
		if m.opts.Observations == nil {
			return m, nil
		}
		return m, listenObs(m.opts.Observations)
	case obsClosedMsg:
		return m, nil
	case queueInitMsg:
		for i := range msg.jobs {
			msg.jobs[i] = cleanJob(msg.jobs[i])
		}
		m.jobs.Set(msg.jobs)
		m.queue = cleanState(msg.state)
		m.lastResync = m.now
		m.layout()
		return m, nil
	case queueMsg:
		for _, e := range msg {
			m.onQueueEvent(e)
		}
		if m.opts.Queue == nil {
			return m, nil
		}
		return m, listenQueue(m.opts.Queue.Events())
	case queueGoneMsg:
		m.setStatus(styles.Warning, "the queue stopped reporting events")
		return m, nil
	case modelsMsg:
		m.add.SetModels(msg.models, msg.err)
		return m, nil
	case actionDoneMsg:
		m.onAction(msg)
		return m, nil
	case loadDoneMsg:
		m.onLoad(msg)
		return m, nil
	case tea.MouseWheelMsg:
		d := 3
		if msg.Button == tea.MouseWheelUp {
			d = -3
		}
		m.scroll(d)
		return m, nil
	case tea.PasteMsg:
		return m, m.routeInput(msg)
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	return m, nil
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

func (m *Model) onQueueEvent(e QueueEvent) {
	at := e.At
	if at.IsZero() {
		at = m.now
	}
	if e.Job != nil {
		m.jobs.Upsert(cleanJob(*e.Job), at)
	}
	if e.State != nil {
		m.queue = cleanState(*e.State)
	}
	if e.Note != "" {
		lvl := styles.Unknown
		if e.Job != nil && e.Job.State == data.StateFailed {
			lvl = styles.Critical
		}
		m.log.Add(logview.Entry{At: at, Level: lvl, Text: e.Note})
	}
}

func (m *Model) onAction(msg actionDoneMsg) {
	if msg.err != nil {
		what := string(msg.what)
		if msg.subject != "" {
			what += " " + msg.subject
		}
		m.setStatus(styles.Critical, what+" failed: "+describe(msg.err))
		return
	}
	switch msg.what {
	case actRetry:
		if msg.n == 0 {
			m.setStatus(styles.Unknown, "nothing to retry: jobs that failed on the server after creation are not resent (that would be a new job)")
			return
		}
		keys := " with their original keys"
		if msg.n == 1 {
			keys = " with its original key"
		}
		line := "retrying " + format.Quantity(msg.n, "failed job", "failed jobs") + keys
		if n := m.jobs.FailedOnServer(); n > 0 {
			line += fmt.Sprintf("; %d failed on the server after it was created: not resent (rerunning is a new job with a new key: add it again)", n)
		}
		m.setStatus(styles.Calm, line)
	case actEnqueue:
		m.setStatus(styles.Calm, "job queued")
	case actPause:
		m.queue.Paused = true
		m.setStatus(styles.Warning, "queue paused: nothing new is sent (running jobs finish)")
	case actResume:
		m.queue.Paused = false
		m.setStatus(styles.Calm, "queue resumed")
	case actCancel:
		m.setStatus(styles.Calm, "canceled "+msg.subject)
	default:
		m.setStatus(styles.Calm, string(msg.what)+" done")
	}
}

func (m *Model) onLoad(msg loadDoneMsg) {
	var fe *FileError
	if errors.As(msg.err, &fe) {
		m.open.SetResult(nil, fe.Lines)
		m.log.Add(logview.Entry{At: m.now, Level: styles.Critical, Text: fe.Error()})
		return
	}
	if msg.err != nil {
		m.open.SetResult(msg.err, nil)
		m.log.Add(logview.Entry{At: m.now, Level: styles.Critical, Text: "load " + msg.path + ": " + describe(msg.err)})
		return
	}
	m.overlay = noOverlay
	m.setStatus(styles.Calm, "queued "+format.Quantity(msg.n, "job", "jobs")+" from "+msg.path)
}

// describe turns an error into one clean line (see text.Clean); an API
// error reads as everywhere else (apiclient.ProblemLine).
func describe(err error) string {
	return text.Clean(err.Error())
}

// copyJobID puts the selected job's id (its server id, else its local key)
// on the clipboard through the terminal (OSC 52), which works over ssh.
func (m *Model) copyJobID() tea.Cmd {
	j, ok := m.jobs.Selected()
	if !ok {
		m.setStatus(styles.Unknown, "no job selected to copy")
		return nil
	}
	id, what := j.ID, "job id"
	if id == "" {
		id, what = j.Key, "idempotency key (not created yet)"
	}
	m.setStatus(styles.Calm, "copied "+what+" "+id+" (OSC 52: the terminal must allow clipboard writes)")
	return tea.SetClipboard(id)
}

// edge jumps the focused pane to its first (top) or last line: the log's
// oldest entry or its live tail, the detail's start, the first or last job.
func (m *Model) edge(top bool) {
	switch {
	case m.focus == paneLog && top:
		m.log.Oldest()
	case m.focus == paneLog:
		m.log.Newest()
	case m.focus == paneDetail && top:
		m.detailScroll = 0
	case top:
		m.jobs.Home()
	default:
		m.jobs.End()
	}
}

func (m *Model) scroll(d int) {
	switch m.focus {
	case paneLog:
		m.log.Scroll(-d)
	case paneDetail:
		m.detailScroll = max(0, m.detailScroll+d)
	default:
		m.jobs.Move(d)
		m.detailScroll = 0
	}
}

// routeInput sends text input to whatever has the keyboard.
func (m *Model) routeInput(msg tea.Msg) tea.Cmd {
	switch m.overlay {
	case addOverlay:
		return m.onAddForm(msg)
	case openOverlay:
		return m.onOpenForm(msg)
	}
	return nil
}

func (m *Model) running() int {
	n := m.jobs.Count(data.StateRunning) + m.jobs.Count(data.StateCreated)
	if m.queue.Running > n {
		n = m.queue.Running
	}
	if m.opts.Queue == nil && m.runningAPI > n {
		n = m.runningAPI
	}
	return n
}

func (m *Model) unfinished() int {
	return m.jobs.Count(data.StatePending) + m.jobs.Count(data.StateSending) +
		m.jobs.Count(data.StateCreated) + m.jobs.Count(data.StateRunning)
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	// ctrl+c (while bound to quit) quits from anywhere, forms and filter
	// included: it is the one way out every terminal user knows
	if key.Matches(msg, k.Quit) && msg.String() == "ctrl+c" {
		return m.quit()
	}
	// forms and the filter own the keyboard while open
	switch m.overlay {
	case addOverlay, openOverlay:
		return m.routeInput(msg)
	case helpOverlay:
		m.overlay = noOverlay
		return nil
	}
	if m.jobs.Filtering() {
		return m.jobs.FilterKey(msg)
	}
	if m.confirmQuit && !key.Matches(msg, k.Quit) {
		m.confirmQuit = false
		m.status = ""
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.overlay = helpOverlay
	case key.Matches(msg, k.Back):
		if m.jobs.Filter() != "" {
			m.jobs.StartFilter()
			return m.jobs.FilterKey(tea.KeyPressMsg{Code: tea.KeyEscape})
		}
		m.showLog = false
		m.focus = paneJobs
	case key.Matches(msg, k.Refresh):
		return m.refresh()
	case key.Matches(msg, k.Log):
		m.showLog = !m.showLog
		if m.showLog {
			m.focus = paneLog
		} else if m.focus == paneLog {
			m.focus = paneJobs
		}
		m.layout()
	case key.Matches(msg, k.Pane):
		m.nextPane()
	case key.Matches(msg, k.Filter):
		m.focus = paneJobs
		return m.jobs.StartFilter()
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.PageUp):
		m.scroll(-max(1, m.bodyRows()-1))
	case key.Matches(msg, k.PageDown):
		m.scroll(max(1, m.bodyRows()-1))
	case key.Matches(msg, k.Copy):
		return m.copyJobID()
	case key.Matches(msg, k.Top):
		m.edge(true)
	case key.Matches(msg, k.Bottom):
		m.edge(false)
	case key.Matches(msg, k.Add):
		if m.noQueue() {
			return nil
		}
		m.add = form.NewAddJob()
		m.add.SetPlan(m.usage.Plan)
		m.overlay = addOverlay
		if m.opts.Monitor == nil {
			m.add.SetModels(nil, errors.New("no API client to list models"))
			return nil
		}
		return modelsCmd(m.ctx, m.opts.Monitor)
	case key.Matches(msg, k.Open):
		if m.noQueue() {
			return nil
		}
		m.open = form.NewOpenFile()
		m.overlay = openOverlay
	case key.Matches(msg, k.Pause):
		if m.noQueue() {
			return nil
		}
		q, ctx := m.opts.Queue, m.ctx
		if m.queue.Paused {
			return actionCmd(actResume, func() (int, error) { return 0, q.Resume(ctx) })
		}
		return actionCmd(actPause, func() (int, error) { return 0, q.Pause(ctx) })
	case key.Matches(msg, k.Cancel):
		if m.noQueue() {
			return nil
		}
		j, ok := m.jobs.Selected()
		if !ok {
			m.setStatus(styles.Unknown, "no job selected to cancel")
			return nil
		}
		if j.State.Finished() {
			m.setStatus(styles.Unknown, "job already "+string(j.State)+": nothing to cancel")
			return nil
		}
		// a cancel of a created job is a request: it may wait seconds for
		// a free slot in the rate window, so say at once that it is on its way
		name := j.ID
		if name == "" {
			name = "the job (not sent yet)"
		}
		m.setStatus(styles.Unknown, "canceling "+name+"…")
		q, ctx, keyID := m.opts.Queue, m.ctx, j.Key
		return actionCmdFor(actCancel, name, func() (int, error) { return 0, q.Cancel(ctx, keyID) })
	case key.Matches(msg, k.Retry):
		if m.noQueue() {
			return nil
		}
		if m.jobs.Count(data.StateFailed) == 0 {
			m.setStatus(styles.Unknown, "no failed jobs to retry")
			return nil
		}
		q, ctx := m.opts.Queue, m.ctx
		return actionCmd(actRetry, func() (int, error) { return q.RetryFailed(ctx) })
	}
	return nil
}

func (m *Model) noQueue() bool {
	if m.opts.Queue != nil {
		return false
	}
	why := m.opts.NoQueueReason
	if why == "" {
		why = errNoQueue.Error()
	}
	m.setStatus(styles.Warning, why)
	return true
}

func (m *Model) quit() tea.Cmd {
	n := m.unfinished()
	if n > 0 && !m.confirmQuit {
		m.confirmQuit = true
		kept := "the journal keeps them (abtop submit --resume continues)"
		if m.opts.Sandbox {
			// the sandbox's journal is a temporary file removed at exit
			kept = "sandbox jobs are not kept after exit"
		}
		m.setStatus(styles.Warning, fmt.Sprintf("%s unfinished — %s. Press %s again to quit.", format.Quantity(n, "job", "jobs"), kept, m.keys.Quit.Help().Key))
		return nil
	}
	return tea.Quit
}

func (m *Model) nextPane() {
	switch m.focus {
	case paneJobs:
		m.focus = paneDetail
	case paneDetail:
		if m.showLog {
			m.focus = paneLog
		} else {
			m.focus = paneJobs
		}
	default:
		m.focus = paneJobs
	}
}

func (m *Model) onAddForm(msg tea.Msg) tea.Cmd {
	switch m.add.Update(msg) {
	case form.Close:
		m.overlay = noOverlay
	case form.Submit:
		spec, _ := m.add.Value()
		m.overlay = noOverlay
		q, ctx := m.opts.Queue, m.ctx
		return actionCmd(actEnqueue, func() (int, error) { return 1, q.Enqueue(ctx, spec) })
	}
	return nil
}

func (m *Model) onOpenForm(msg tea.Msg) tea.Cmd {
	switch m.open.Update(msg) {
	case form.Close:
		m.overlay = noOverlay
	case form.Submit:
		return loadCmd(m.ctx, m.opts.Queue, m.open.Value())
	}
	return nil
}
