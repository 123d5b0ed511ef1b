// Package keys is the dashboard's one key map. It implements help.KeyMap so
// the footer and the full help are generated from the bindings themselves,
// and so a remapped key shows up in the help as remapped.
package keys

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap holds every binding of the dashboard.
type KeyMap struct {
	Help     key.Binding
	Add      key.Binding
	Open     key.Binding
	Pause    key.Binding
	Cancel   key.Binding
	Retry    key.Binding
	Refresh  key.Binding
	Log      key.Binding
	Pane     key.Binding
	Filter   key.Binding
	Copy     key.Binding
	OpenOut  key.Binding // opens the selected job's marked output file
	NextOut  key.Binding // marks the selected job's next output file
	Sort     key.Binding
	Quit     key.Binding
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Back     key.Binding
	Zoom     key.Binding
	Mouse    key.Binding // mouse capture on/off; its help says the state (ShowMouse)
	// Profile switches the detailed view to the next profile; enabled
	// only when the dashboard shows several (hidden from help otherwise).
	Profile key.Binding
	// Batches opens the list of batches other abtop processes run.
	Batches key.Binding
}

// Default returns the documented bindings.
func Default() KeyMap {
	b := func(desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKeys(keys), desc))
	}
	return KeyMap{
		Help:     b("help", "?"),
		Add:      b("add job", "a"),
		Open:     b("open file", "o"),
		Pause:    b("pause/resume", "space", "p"),
		Cancel:   b("cancel job", "x"),
		Retry:    b("retry failed", "r"),
		Refresh:  b("refresh now", "R"),
		Log:      b("request log", "l"),
		Pane:     b("switch pane", "tab"),
		Filter:   b("filter jobs", "/"),
		Copy:     b("copy job id (or output path)", "y"),
		OpenOut:  b("open output file", "enter"),
		NextOut:  b("next output file", "f"),
		Sort:     b("sort: queue/state/model/age", "s"),
		Quit:     b("quit", "q", "ctrl+c"),
		Up:       b("up", "up", "k"),
		Down:     b("down", "down", "j"),
		PageUp:   b("page up", "pgup"),
		PageDown: b("page down", "pgdown"),
		Top:      b("first", "home", "g"),
		Bottom:   b("last", "end", "G"),
		Back:     b("close", "esc"),
		Zoom:     b("zoom chart (history)", "z"),
		Mouse:    b(mouseDesc(true), "m"),
		Profile:  disabled(b("next profile", "v")),
		Batches:  b("other batches", "b"),
	}
}

// disabled is b switched off: a disabled binding matches no key and is
// left out of the help.
func disabled(b key.Binding) key.Binding {
	b.SetEnabled(false)
	return b
}

// actions maps the config file's action names to bindings.
func (k *KeyMap) actions() map[string]*key.Binding {
	return map[string]*key.Binding{
		"help": &k.Help, "add": &k.Add, "open": &k.Open, "pause": &k.Pause,
		"cancel": &k.Cancel, "retry": &k.Retry, "refresh": &k.Refresh, "log": &k.Log,
		"pane": &k.Pane, "filter": &k.Filter, "copy": &k.Copy, "open_output": &k.OpenOut, "next_output": &k.NextOut, "sort": &k.Sort, "quit": &k.Quit, "up": &k.Up, "down": &k.Down,
		"page_up": &k.PageUp, "page_down": &k.PageDown, "top": &k.Top, "bottom": &k.Bottom,
		"back": &k.Back, "zoom": &k.Zoom, "mouse": &k.Mouse, "profile": &k.Profile, "batches": &k.Batches,
	}
}

// Actions lists the action names a config file may remap, sorted.
func Actions() []string {
	k := Default()
	var names []string
	for n := range k.actions() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RemapError is one remap from the config file's keys section that was
// not applied; Action names it (keys.<Action>).
type RemapError struct {
	Action string
	Msg    string
}

func (e *RemapError) Error() string { return "keys." + e.Action + ": " + e.Msg }

// New returns the default bindings with remap applied (action → keys, as
// in the config file's keys section). Unknown actions, empty key lists and
// remaps that take a key another action holds are reported as
// *RemapError and left at their defaults (one key, one action: `pause:
// ["q"]` must not leave q doing only one of two things); the rest applies.
func New(remap map[string][]string) (KeyMap, []error) {
	k := Default()
	acts := k.actions()
	defaults := Default()
	defActs := defaults.actions()
	var errs []error
	names := make([]string, 0, len(remap))
	for n := range remap {
		names = append(names, n)
	}
	sort.Strings(names)
	remapped := map[string]bool{}
	for _, name := range names {
		keys := remap[name]
		b, ok := acts[name]
		if !ok {
			errs = append(errs, &RemapError{name, "unknown action (known: " + strings.Join(Actions(), ", ") + ")"})
			continue
		}
		var clean []string
		for _, s := range keys {
			if s = strings.TrimSpace(s); s != "" {
				clean = append(clean, s)
			}
		}
		if len(clean) == 0 {
			errs = append(errs, &RemapError{name, "no keys given; keeping " + b.Help().Key})
			continue
		}
		b.SetKeys(clean...)
		b.SetHelp(helpKeys(clean), b.Help().Desc)
		remapped[name] = true
	}
	// Undo each remap that collides, until none does: at most one undo per
	// remapped action, so this ends.
	for range len(remapped) + 1 {
		name, key, other := collision(acts, remapped)
		if name == "" {
			break
		}
		*acts[name] = *defActs[name]
		delete(remapped, name)
		errs = append(errs, &RemapError{name, fmt.Sprintf("%q is already %s's key; remap %s too, or pick another key (keeping %s)",
			key, other, other, acts[name].Help().Key)})
	}
	return k, errs
}

// collision finds a key held by two actions, at least one of them
// remapped; name is the remapped one, other the action it collides with.
func collision(acts map[string]*key.Binding, remapped map[string]bool) (name, k, other string) {
	owner := map[string]string{}
	for _, a := range Actions() {
		for _, s := range acts[a].Keys() {
			prev, dup := owner[s]
			if !dup {
				owner[s] = a
				continue
			}
			if remapped[a] {
				return a, s, prev
			}
			return prev, s, a
		}
	}
	return "", "", ""
}

// helpKeys is how a key list is shown in help: "space/p".
func helpKeys(keys []string) string { return strings.Join(keys, "/") }

// ShortHelp is the footer: the same keys as the full help (remapped ones
// included) with one-word descriptions, so most of them fit in 100 columns.
func (k KeyMap) ShortHelp() []key.Binding {
	short := func(b key.Binding, desc string) key.Binding {
		b.SetHelp(b.Help().Key, desc) // b is a copy: the full help keeps its words
		return b
	}
	// the profile key is shown first when enabled (several profiles), and
	// skipped by the help like every disabled binding otherwise
	return []key.Binding{short(k.Profile, "profile"), short(k.Add, "add"), short(k.Open, "open file"), short(k.Pause, "pause"),
		short(k.Cancel, "cancel"), short(k.Retry, "retry"), short(k.Refresh, "refresh"), short(k.Log, "log"),
		short(k.Pane, "pane"), short(k.Filter, "filter"), k.Mouse, k.Help, k.Quit}
}

// FullHelp groups the bindings into columns: queue, view, navigation, app.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Add, k.Open, k.Pause, k.Cancel, k.Retry},
		{k.Refresh, k.Log, k.Pane, k.Filter, k.Sort, k.Copy, k.OpenOut, k.NextOut},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Back, k.Help, k.Quit, k.Zoom, k.Mouse, k.Batches, k.Profile},
	}
}

// ShowMouse makes the mouse key's help say whether the dashboard has the
// mouse (clicks select, the wheel scrolls) or the terminal has it (its own
// text selection works): the one key does both, so the state is the news.
func (k *KeyMap) ShowMouse(on bool) { k.Mouse.SetHelp(k.Mouse.Help().Key, mouseDesc(on)) }

func mouseDesc(on bool) string {
	if on {
		return "mouse: on"
	}
	return "mouse: off"
}
