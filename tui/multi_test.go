package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/tui/text"
)

// twoProfiles is a dashboard of "work" (the scenario's traffic, a queue)
// and "personal" (monitoring only, a low rate budget), each with its own
// monitor.
func twoProfiles(w, h int, noColor bool) (*Multi, []*fakeMonitor) {
	mons := []*fakeMonitor{{}, {}}
	base := Options{MaskedToken: "ab_…7Qx2", TokenSource: "file", NoColor: noColor, PollInterval: 5 * time.Second,
		Now: func() time.Time { return t0 }}
	work, personal := base, base
	work.Profile, work.Monitor, work.Queue = "work", mons[0], newFakeQueue(nil)
	personal.Profile, personal.Monitor = "personal", mons[1]
	mm := NewMulti([]Options{work, personal})
	mm.Update(windowSizeMsg(w, h))
	mm.Update(routed{0, obsMsg(scenarioObservations())})
	mm.Update(routed{0, queueInitMsg{jobs: scenarioJobs(12)}})
	low := apiclient.Observation{Method: "GET", Path: "/v1/balance", Status: 200, Snapshot: snap(t0, 2, 480, 3.5)}
	mm.Update(routed{1, obsMsg{low}})
	mm.Update(routed{1, pollDoneMsg{res: PollResult{Balance: &apiclient.Balance{Credits: 3.5, Plan: "free\x1b[31m"}, Requests: 1}}})
	return mm, mons
}

func TestMultiSwitchKeyChangesTheDetailedProfile(t *testing.T) {
	mm, _ := twoProfiles(120, 30, true)
	header := func() string { return ansi.Strip(strings.Split(mm.Render(), "\n")[2]) }
	if h := header(); !strings.Contains(h, "profile work") {
		t.Fatalf("detailed view does not start on the first profile: %q", h)
	}
	mm.Update(keyMsg("v"))
	if h := header(); !strings.Contains(h, "profile personal") || mm.Active() != 1 {
		t.Fatalf("after v the header is %q", h)
	}
	strip := ansi.Strip(strings.Split(mm.Render(), "\n")[1])
	if !strings.HasPrefix(strip, " ▸ personal") {
		t.Fatalf("the strip does not mark the profile shown: %q", strip)
	}
	mm.Update(keyMsg("v"))
	if mm.Active() != 0 {
		t.Fatalf("v does not wrap around to the first profile: %d", mm.Active())
	}
}

func TestMultiSwitchKeyIsTextInAForm(t *testing.T) {
	mm, _ := twoProfiles(120, 30, true)
	mm.Update(keyMsg("o")) // the open-file form of the work profile
	mm.Update(keyMsg("v"))
	if mm.Active() != 0 {
		t.Fatal("v switched profiles while the file form had the keyboard")
	}
}

func TestMultiEachProfilePollsItsOwnMonitor(t *testing.T) {
	mm, mons := twoProfiles(120, 30, true)
	for i := range mons {
		_, cmd := mm.Update(routed{i, pollTickMsg{gen: 0}})
		if cmd == nil {
			t.Fatalf("profile %d: no poll on its tick", i)
		}
		msg := cmd()
		r, ok := msg.(routed)
		if _, done := r.msg.(pollDoneMsg); !ok || r.i != i || !done {
			t.Fatalf("profile %d: poll came back as %#v, want routed to it", i, msg)
		}
	}
	if mons[0].Polls() != 1 || mons[1].Polls() != 1 {
		t.Fatalf("polls = %d, %d; want one each", mons[0].Polls(), mons[1].Polls())
	}
}

func TestMultiPassesTheRuntimesMessagesThrough(t *testing.T) {
	cmd := wrap(1, tea.Batch(tea.Quit, func() tea.Msg { return frameMsg{} }))
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("a batch is not kept a batch: %#v", batch)
	}
	if _, ok := batch[0]().(tea.QuitMsg); !ok {
		t.Error("tea.Quit was wrapped: the program would never quit")
	}
	if r, ok := batch[1]().(routed); !ok || r.i != 1 {
		t.Error("a dashboard message was not routed back to its profile")
	}
}

func TestMultiAlertsCountPerProfile(t *testing.T) {
	mm, _ := twoProfiles(120, 30, true)
	mm.Update(routed{1, alertMsg{Text: "quota 95% used"}})
	strip := ansi.Strip(mm.Render())
	lines := strings.Split(strip, "\n")
	if !strings.Contains(lines[1], "⚠ 1 alert") || strings.Contains(lines[0], "⚠") {
		t.Fatalf("alert not counted on its own profile's row:\n%s\n%s", lines[0], lines[1])
	}
}

// Update with: go test ./tui -run TestMultiGolden -update
func TestMultiGolden(t *testing.T) {
	for _, c := range []struct {
		name    string
		w, h    int
		noColor bool
	}{{"80x24_nocolor", 80, 24, true}, {"120x30_nocolor", 120, 30, true}, {"120x30_color", 120, 30, false}} {
		t.Run(c.name, func(t *testing.T) {
			mm, _ := twoProfiles(c.w, c.h, c.noColor)
			out := mm.Render()
			lines := strings.Split(out, "\n")
			if len(lines) != c.h {
				t.Fatalf("%d lines, want %d", len(lines), c.h)
			}
			for i, l := range lines {
				if w := text.Width(l); w != c.w {
					t.Fatalf("line %d is %d cells, want %d: %q", i, w, c.w, l)
				}
			}
			if c.noColor && colourSGR.MatchString(out) {
				t.Fatalf("NO_COLOR output has a colour")
			}
			if v := mm.View(); v.Content != out || !v.AltScreen {
				t.Fatal("View is not the rendered screen on the alternate screen")
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// q on a profile without jobs still asks when another profile has
// unfinished jobs of its own: the dashboard shows that profile and asks.
func TestMultiQuitAsksForAnotherProfilesJobs(t *testing.T) {
	mm, _ := twoProfiles(120, 30, true)
	mm.Update(keyMsg("v")) // personal: no queue
	_, cmd := mm.Update(keyMsg("q"))
	if mm.Active() != 0 || !strings.Contains(ansi.Strip(mm.Render()), "unfinished") {
		t.Fatalf("q quit past work's unfinished jobs (active %d)", mm.Active())
	}
	for _, msg := range run(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			t.Fatal("quit without asking")
		}
	}
	_, cmd = mm.Update(keyMsg("q"))
	quit := false
	for _, msg := range run(cmd) {
		_, quit = msg.(tea.QuitMsg)
	}
	if !quit {
		t.Fatal("the second q did not quit")
	}
}

// A click on a strip row shows that profile; a click below it reaches the
// shown dashboard in its own coordinates, not the strip's.
func TestMultiClickOnTheStripSwitches(t *testing.T) {
	mm, _ := twoProfiles(120, 30, true)
	mm.Update(tea.MouseClickMsg{X: 5, Y: 1, Button: tea.MouseLeft})
	if mm.Active() != 1 {
		t.Fatalf("a click on the second row left profile %d shown", mm.Active())
	}
	mm.Update(tea.MouseClickMsg{X: 5, Y: 0, Button: tea.MouseLeft})
	if mm.Active() != 0 {
		t.Fatalf("a click on the first row left profile %d shown", mm.Active())
	}
	mm.Update(tea.MouseClickMsg{X: 5, Y: 10, Button: tea.MouseLeft})
	if mm.Active() != 0 {
		t.Fatal("a click below the strip switched profiles")
	}
}
