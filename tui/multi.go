// Multi: the dashboard of several profiles. Each profile is a whole
// dashboard Model with its own Monitor, observations, alerts and poll
// chain, so each polls at its own cadence within its own budget; Multi
// draws the overview strip above the one whose detailed view is shown and
// routes every message to the model it belongs to.

package tui

import (
	"reflect"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/tui/overview"
)

// Multi is the root model when the dashboard shows several profiles.
type Multi struct {
	subs          []*Model
	alerts        []int // alerts each profile fired this session
	active        int
	width, height int
}

// NewMulti builds one dashboard per profile, the first one shown; the
// profile key (v) switches between them. With one profile, use New.
func NewMulti(profiles []Options) *Multi {
	mm := &Multi{alerts: make([]int, len(profiles))}
	for _, o := range profiles {
		m := New(o)
		m.keys.Profile.SetEnabled(true)
		mm.subs = append(mm.subs, m)
	}
	return mm
}

// routed is a message produced by the commands of profile i's model.
type routed struct {
	i   int
	msg tea.Msg
}

// tuiPkg is this package's import path: every message its models (and
// their components) define is under it, and goes back to the model whose
// command produced it. Anything else (Bubble Tea's own messages: quit,
// clipboard, raw output, window size) passes through untouched, because
// the runtime must see it. tea.Sequence is not used by the models: its
// message type is unexported and could not be routed.
var tuiPkg = reflect.TypeFor[routed]().PkgPath()

func ours(msg tea.Msg) bool {
	t := reflect.TypeOf(msg)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return false
	}
	p := t.PkgPath()
	return p == tuiPkg || strings.HasPrefix(p, tuiPkg+"/")
}

// wrap tags what cmd produces with profile i.
func wrap(i int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case tea.BatchMsg:
			out := make(tea.BatchMsg, 0, len(msg))
			for _, c := range msg {
				if c != nil {
					out = append(out, wrap(i, c))
				}
			}
			return out
		default:
			if ours(msg) {
				return routed{i, msg}
			}
			return msg
		}
	}
}

// Init starts every profile's dashboard.
func (mm *Multi) Init() tea.Cmd {
	cmds := make([]tea.Cmd, len(mm.subs))
	for i, m := range mm.subs {
		cmds[i] = wrap(i, m.Init())
	}
	return tea.Batch(cmds...)
}

func (mm *Multi) forward(i int, msg tea.Msg) tea.Cmd {
	_, cmd := mm.subs[i].Update(msg)
	return wrap(i, cmd)
}

// stripLines is how many rows the overview takes: one per profile, at
// most a quarter of the screen (the active profile is always among them).
func (mm *Multi) stripLines() int {
	return min(len(mm.subs), max(1, mm.height/4))
}

// Update routes msg: a routed message to its profile, keys and the mouse
// to the profile shown, everything else (window size, colours) to all.
func (mm *Multi) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case routed:
		if msg.i < 0 || msg.i >= len(mm.subs) {
			return mm, nil
		}
		if _, ok := msg.msg.(alertMsg); ok {
			mm.alerts[msg.i]++
		}
		return mm, mm.forward(msg.i, msg.msg)
	case tea.WindowSizeMsg:
		mm.width, mm.height = msg.Width, msg.Height
		sub := tea.WindowSizeMsg{Width: msg.Width, Height: max(0, msg.Height-mm.stripLines())}
		return mm, mm.all(sub)
	case tea.KeyPressMsg:
		return mm, mm.onKey(msg)
	case tea.PasteMsg:
		return mm, mm.forward(mm.active, msg)
	case tea.MouseClickMsg:
		if row := msg.Y; row >= 0 && row < mm.stripLines() && msg.Button == tea.MouseLeft {
			// a click on the strip shows that profile
			mm.active = mm.strip().First(mm.stripLines()) + row
			return mm, nil
		}
		msg.Y -= mm.stripLines()
		return mm, mm.mouse(msg, msg.Y)
	case tea.MouseReleaseMsg:
		msg.Y -= mm.stripLines()
		return mm, mm.mouse(msg, msg.Y)
	case tea.MouseMotionMsg:
		msg.Y -= mm.stripLines()
		return mm, mm.mouse(msg, msg.Y)
	case tea.MouseWheelMsg:
		msg.Y -= mm.stripLines()
		return mm, mm.mouse(msg, msg.Y)
	}
	return mm, mm.all(msg)
}

// mouse hands a pointer event, moved into the detailed view's
// coordinates, to the profile shown; one on the strip is not its.
func (mm *Multi) mouse(msg tea.Msg, y int) tea.Cmd {
	if y < 0 {
		return nil
	}
	return mm.forward(mm.active, msg)
}

func (mm *Multi) all(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, len(mm.subs))
	for i := range mm.subs {
		cmds[i] = mm.forward(i, msg)
	}
	return tea.Batch(cmds...)
}

func (mm *Multi) onKey(msg tea.KeyPressMsg) tea.Cmd {
	a := mm.subs[mm.active]
	if !a.typing() {
		switch {
		case key.Matches(msg, a.keys.Profile):
			mm.active = (mm.active + 1) % len(mm.subs)
			return nil
		case key.Matches(msg, a.keys.Quit):
			// a profile with unfinished jobs of its own asks first, even
			// when another profile is shown
			for i, m := range mm.subs {
				if i != mm.active && !m.confirmQuit && m.ownPending() > 0 {
					mm.active = i
					break
				}
			}
		}
	}
	return mm.forward(mm.active, msg)
}

// typing reports whether an overlay (a form, a picker, the help) or the
// filter has the keyboard: letters are not the dashboard's keys then.
func (m *Model) typing() bool {
	return m.overlay != noOverlay || m.jobs.Filtering()
}

// Active is the index of the profile the detailed view shows.
func (mm *Multi) Active() int { return mm.active }

// View is the strip above the shown profile's dashboard (whose view
// settings, alternate screen and mouse, it keeps).
func (mm *Multi) View() tea.View {
	v := mm.subs[mm.active].View()
	v.Content = mm.compose(v.Content)
	return v
}

// Render is the screen as text, exactly width×height cells.
func (mm *Multi) Render() string { return mm.compose(mm.subs[mm.active].Render()) }

// strip is every profile's row as it stands.
func (mm *Multi) strip() overview.Strip {
	s := overview.Strip{Active: mm.active, Styles: mm.subs[mm.active].st}
	for i, m := range mm.subs {
		r := m.overviewRow()
		r.Alerts = mm.alerts[i]
		s.Rows = append(s.Rows, r)
	}
	return s
}

// compose puts the strip above body, the shown profile's screen.
func (mm *Multi) compose(body string) string {
	if mm.width <= 0 || mm.height <= 0 {
		return ""
	}
	lines := mm.strip().View(mm.width, mm.stripLines())
	if body != "" {
		lines = append(lines, body)
	}
	return strings.Join(lines, "\n")
}
