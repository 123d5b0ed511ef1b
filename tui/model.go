package tui

import (
	"context"
	"github.com/abtop-dev/abtop/caps"
	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/history"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/tui/form"
	"github.com/abtop-dev/abtop/tui/jobs"
	"github.com/abtop-dev/abtop/tui/keys"
	"github.com/abtop-dev/abtop/tui/logview"
	"github.com/abtop-dev/abtop/tui/picker"
	"github.com/abtop-dev/abtop/tui/styles"
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
	pickOverlay // the batch picker (batchpick.go)
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
	out   outputs // the output files and downloads (outputs.go)
	// pauseAsked is when a pause or resume was last asked: state events
	// said before it do not undo it (onQueueEvent).
	pauseAsked time.Time

	pollGen    int
	inFlight   bool
	lastResync time.Time
	lastPoll   time.Time
	pollErr    error
	nextPoll   time.Time      // when the next poll is due (shown after a failed one)
	conc       int            // concurrency from the poll, 0 unknown
	runningAPI int            // running jobs per the poll
	limiter    budget.Sharing // how the org budget is shared (zero when not), per the poll
	batches    string         // other processes' batches in one line, per the poll
	caps       []caps.Line    // the profile's spending caps, per the poll
	zoom       int            // 0: the live chart; i: history.Zooms[i-1] from the history
	zoomed     history.Chart  // the last history read for zoom
	zoomErr    error

	forecast    *estimate.Forecast // the history's (forecast.go); nil: the session's own pace
	forecastErr string             // the last read's error, said once

	focus        pane
	showLog      bool
	overlay      overlay
	add          form.AddJob
	open         form.OpenFile
	detailScroll int
	mouseOff     bool       // the terminal has the mouse (its text selection works); see mouse.go
	modelsWait   ModelsWait // the models request's current wait (modelswait.go)

	pick     picker.Model // the batch picker's list
	shown    *shownBatch  // another process's batch in the jobs pane; nil: the own queue
	batchGen int          // the follow in force: older ones' messages are dropped

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
	if m.opts.Alerts != nil {
		cmds = append(cmds, listenAlerts(m.opts.Alerts))
	}
	if m.opts.ModelsWaits != nil {
		cmds = append(cmds, listenModelsWaits(m.opts.ModelsWaits))
	}
	if q := m.opts.Queue; q != nil {
		cmds = append(cmds, queueInitCmd(q), listenQueue(q.Events()))
	}
	cmds = append(cmds, m.forecastInit())
	return tea.Batch(cmds...)
}

// Update routes each message to the component that owns it.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.now = m.clock()
	if cmd, ok := m.onBatchMsg(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.onForecastMsg(msg); ok {
		return m, cmd
	}
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
		return m, tea.Batch(m.onPollDone(msg), m.refreshZoom())
	case chartDoneMsg:
		if msg.zoom == m.zoom {
			m.zoomed, m.zoomErr = msg.data, msg.err
		}
		return m, nil
	case obsMsg:
		for _, o := range msg {
			m.observe(o)
		}
		if m.opts.Observations == nil {
			return m, nil
		}
		return m, listenObs(m.opts.Observations)
	case modelsWaitMsg:
		return m, m.onModelsWait(msg)
	case obsClosedMsg, alertsClosedMsg, modelsWaitsClosedMsg:
		return m, nil
	case alertMsg:
		return m, m.onAlert(msg)
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
		m.modelsWait = ModelsWait{} // the list (or its error) is here: no wait is left
		m.add.SetModels(msg.models, msg.err)
		return m, nil
	case actionDoneMsg:
		m.onAction(msg)
		return m, nil
	case openedMsg:
		m.onOpened(msg)
		return m, nil
	case loadDoneMsg:
		m.onLoad(msg)
		return m, nil
	case previewDoneMsg:
		m.onPreview(msg)
		return m, nil
	case tea.MouseClickMsg:
		m.onClick(msg)
		return m, nil
	case tea.MouseWheelMsg:
		m.onWheel(msg)
		return m, nil
	case tea.PasteMsg:
		return m, m.routeInput(msg)
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	return m, nil
}
