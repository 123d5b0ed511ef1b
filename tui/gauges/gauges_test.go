package gauges

import (
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/usagestate"
)

var t0 = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

func i64(v int64) *int64                 { return &v }
func dur(d time.Duration) *time.Duration { return &d }

func rateState(rem int64, status int) *usagestate.State {
	s := usagestate.New(5*time.Second, 10)
	s.Observe(apiclient.Observation{Status: status, Snapshot: usage.Snapshot{Received: t0, Binding: 0,
		Limits: []usage.Limit{{Unit: "requests", Limit: i64(100), Remaining: i64(rem), ResetAfter: dur(30 * time.Second)}}}}, t0)
	return s
}

// Thresholds from the issue: calm below 60% used, warning from 60%,
// critical from 85%, and critical on any 429 — always with a glyph and a word.
func TestRateThresholds(t *testing.T) {
	st := styles.New(true, true)
	for _, c := range []struct {
		rem    int64
		status int
		want   styles.Level
	}{
		{41, 200, styles.Calm}, {40, 200, styles.Warning}, {16, 200, styles.Warning},
		{15, 200, styles.Critical}, {90, 429, styles.Critical},
	} {
		g := Build(Input{S: rateState(c.rem, c.status), Now: t0, PollInterval: 5 * time.Second}, st)[0]
		if g.Level != c.want {
			t.Errorf("remaining %d, status %d: level %v, want %v", c.rem, c.status, g.Level, c.want)
		}
		if box := strings.Join(Boxes([]Gauge{g}, 40, t0, st), "\n"); !strings.Contains(box, c.want.Glyph()+" "+c.want.Word()) {
			t.Errorf("level not spelled out without colour:\n%s", box)
		}
	}
}

func TestStaleRateIsDimmedWithItsAge(t *testing.T) {
	st := styles.New(true, true)
	now := t0.Add(25 * time.Second)
	g := Build(Input{S: rateState(50, 200), Now: now, PollInterval: 5 * time.Second}, st)[0]
	if !g.Stale || g.Source(now) != "from header · 25s ago" {
		t.Errorf("stale value without its age: stale %v, %q", g.Stale, g.Source(now))
	}
	if box := strings.Join(Boxes([]Gauge{g}, 40, now, st), "\n"); !strings.Contains(box, "50/100 req left") || !strings.Contains(box, "from header · 25s ago") {
		t.Errorf("stale value dropped or its age not shown:\n%s", box)
	}
	if !strings.Contains(g.Lines[0], "resets in 5s") {
		t.Errorf("countdown not computed from the response time: %q", g.Lines[0])
	}
}

func TestBindingPicksWhatRunsOutFirst(t *testing.T) {
	st := styles.New(true, true)
	s := rateState(0, 200)
	line := Binding(Input{S: s, Now: t0, PollInterval: 5 * time.Second, Running: 3, Concurrency: 10}, st, 100, true)
	if !strings.Contains(line, "rate window used up: next slot in 30s") || !strings.Contains(line, "running 3/10") {
		t.Errorf("binding line = %q", line)
	}
	s = usagestate.New(5*time.Second, 10)
	if line := Binding(Input{S: s, Now: t0}, st, 80, true); !strings.Contains(line, "no usage data yet") {
		t.Errorf("binding line without data = %q", line)
	}
}

// A reading whose window has since reset no longer says "resets in 0s":
// it says the reset passed and is dimmed as old (tmux at 130×35 showed
// "resets in 0s" next to a 49/60 from before the reset).
func TestRateAfterItsResetIsMarkedOld(t *testing.T) {
	st := styles.New(true, true)
	now := t0.Add(31 * time.Second) // the reading said: resets in 30 s
	g := Build(Input{S: rateState(50, 200), Now: now, PollInterval: time.Minute}, st)[0]
	if !g.Stale || !strings.Contains(g.Lines[0], "the window has reset since this reading") {
		t.Fatalf("stale %v, lines %q", g.Stale, g.Lines)
	}
	if line := Binding(Input{S: rateState(50, 200), Now: now}, st, 100, false); strings.Contains(line, "resets in 0s") {
		t.Fatalf("binding %q", line)
	}
}

// "✖ binding: … 41/60 req left …; nothing runs out" read as a
// contradiction (tmux, after a 429): the line's glyph follows its own
// numbers; the 429 is explained on the rate gauge.
func TestBindingGlyphFollowsItsNumbers(t *testing.T) {
	st := styles.New(true, true)
	line := Binding(Input{S: rateState(90, 429), Now: t0}, st, 120, false)
	if !strings.Contains(line, "● binding") || !strings.Contains(line, "nothing runs out") {
		t.Fatalf("binding %q", line)
	}
	if g := Build(Input{S: rateState(90, 429), Now: t0}, st)[0]; g.Level != styles.Critical {
		t.Fatal("the rate gauge itself stays critical after a 429")
	}
}

// "41/60 req left" says nothing about how long the 60 last: when the
// server states the window, the rate gauge's title does.
func TestRateGaugeNamesItsWindow(t *testing.T) {
	st := styles.New(true, true)
	s := usagestate.New(5*time.Second, 10)
	s.Observe(apiclient.Observation{Status: 200, Snapshot: usage.Snapshot{Received: t0, Limits: []usage.Limit{{Unit: "requests",
		Limit: i64(60), Remaining: i64(41), ResetAfter: dur(7 * time.Second), Window: dur(10 * time.Second)}}}}, t0)
	box := strings.Join(Boxes(Build(Input{S: s, Now: t0}, st)[:1], 33, t0, st), "\n")
	if !strings.Contains(box, "Rate limit per 10s ● ok") {
		t.Fatalf("window not named:\n%s", box)
	}
}

// The rate gauge says whose requests it counts: the dashboard's own polls,
// not the batch a submit sends next to it.
func TestOwnRequestsSayWhose(t *testing.T) {
	st := styles.New(true, true)
	g := Build(Input{S: rateState(50, 200), Now: t0, PollInterval: time.Minute}, st)[0]
	all := strings.Join(g.Lines, "\n")
	if !strings.Contains(all, "dashboard polls:") || strings.Contains(all, "abtop itself") {
		t.Fatalf("lines %q", g.Lines)
	}
}
