package jobs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

var t0 = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

func fill(n int) *Model {
	m := New()
	for i := range n {
		st := data.StateSucceeded
		if i%10 == 0 {
			st = data.StatePending
		}
		m.Upsert(data.Job{Key: fmt.Sprintf("k%05d", i), Model: "flux", State: st, Enqueued: t0}, time.Time{})
	}
	return &m
}

func TestViewRendersOnlyVisibleRows(t *testing.T) {
	m := fill(10000)
	m.SetHeight(20)
	st := styles.New(true, true)
	out := m.View(100, 22, t0, st, true)
	if len(out) != 22 { // heading + the rows that fit
		t.Fatalf("%d lines", len(out))
	}
	for i, l := range out {
		if text.Width(l) != 100 {
			t.Errorf("line %d is %d cells", i, text.Width(l))
		}
	}
	m.End()
	out = m.View(100, 22, t0, st, true)
	if j, _ := m.Selected(); j.Key != "k09999" || !strings.Contains(out[len(out)-1], "done") {
		t.Fatalf("End: selected %s, last line %q", j.Key, out[len(out)-1])
	}
}

func TestCountsFollowUpserts(t *testing.T) {
	m := fill(100)
	if m.Count(data.StatePending) != 10 || m.Count(data.StateSucceeded) != 90 {
		t.Fatalf("counts %d/%d", m.Count(data.StatePending), m.Count(data.StateSucceeded))
	}
	m.Upsert(data.Job{Key: "k00000", State: data.StateFailed}, t0)
	if m.Count(data.StatePending) != 9 || m.Count(data.StateFailed) != 1 || m.Total() != 100 {
		t.Fatal("upsert of a known key did not move its count")
	}
	if r := m.Rate(t0.Add(time.Minute)); r != 1 {
		t.Errorf("rate = %v jobs/min, want 1", r)
	}
}

func TestFailedRowsCarryTheirErrorOnASecondLine(t *testing.T) {
	m := New()
	j := data.Job{Key: "k", Model: "veo", State: data.StateFailed, Err: "x"}
	j.Problem = nil
	m.Upsert(j, t0)
	if got := len(m.View(80, 10, t0, styles.New(true, true), true)); got != 2 {
		t.Fatalf("plain error: %d lines", got)
	}
}

func TestSetKeepsSelectionAndFilter(t *testing.T) {
	m := fill(100)
	m.SetHeight(10)
	m.Move(42)
	all := make([]data.Job, 0, 100)
	for i := range 100 {
		all = append(all, *m.at(i))
	}
	all[42].State = data.StateFailed
	m.Set(all)
	if j, _ := m.Selected(); j.Key != "k00042" || j.State != data.StateFailed {
		t.Fatalf("selected %s %s after resync", j.Key, j.State)
	}
	m.applyFilter("queued")
	m.Set(all)
	if m.Len() != 10 {
		t.Fatalf("filter lost on resync: %d rows", m.Len())
	}
}

// The e2e run showed "ETA ~0.2s · ⏸ paused: credits: 0 left": a paused
// queue has no ETA, whatever the recent pace was.
func TestNoETAWhilePaused(t *testing.T) {
	m := New()
	for i := range 10 {
		k := fmt.Sprintf("k%d", i)
		m.Upsert(data.Job{Key: k, State: data.StatePending}, t0)
		if i < 5 {
			m.Upsert(data.Job{Key: k, State: data.StateSucceeded}, t0.Add(time.Duration(i)*time.Second))
		}
	}
	st := styles.New(true, true)
	now := t0.Add(10 * time.Second)
	if got := m.Progress(100, now, data.QueueState{}, st)[0]; !strings.Contains(got, "ETA") {
		t.Fatalf("running queue without ETA: %q", got)
	}
	got := m.Progress(100, now, data.QueueState{Paused: true, Reason: "paused: credits"}, st)[0]
	if strings.Contains(got, "ETA") || !strings.Contains(got, "⏸ paused: credits") {
		t.Fatalf("paused queue: %q", got)
	}
}

// A failed job is not "done": the progress line counts succeeded, failed
// and still-to-go jobs apart.
func TestProgressCountsOutcomesApart(t *testing.T) {
	m := New()
	states := []data.State{data.StateSucceeded, data.StateSucceeded, data.StateSucceeded, data.StateFailed, data.StateFailed,
		data.StatePending, data.StatePending, data.StateRunning, data.StateCanceled, data.StatePending}
	for i, s := range states {
		m.Upsert(data.Job{Key: fmt.Sprintf("k%d", i), State: s}, t0)
	}
	got := m.Progress(120, t0, data.QueueState{}, styles.New(true, true))[0]
	for _, want := range []string{"✓ 3 succeeded", "✗ 2 failed", "1 canceled", "4 to go of 10"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "done") {
		t.Errorf("progress %q still says done", got)
	}
}

// The filter is live: a job that changes into (or out of) a match while
// the filter is on shows (or leaves) at once; and it matches prompts.
func TestFilterIsLiveAndMatchesPrompts(t *testing.T) {
	m := New()
	m.Upsert(data.Job{Key: "a", State: data.StatePending, Model: "flux-schnell", Input: []byte(`{"prompt":"A Lighthouse at dusk"}`)}, t0)
	m.Upsert(data.Job{Key: "b", State: data.StatePending, Model: "flux-schnell", Input: []byte(`{"prompt":"a fox"}`)}, t0)
	m.applyFilter("lighthouse")
	if m.Len() != 1 {
		t.Fatalf("filter on a prompt: %d rows, want 1", m.Len())
	}
	m.applyFilter("failed")
	if m.Len() != 0 {
		t.Fatalf("%d failed rows, want 0", m.Len())
	}
	m.Upsert(data.Job{Key: "b", State: data.StateFailed, Model: "flux-schnell"}, t0)
	if m.Len() != 1 {
		t.Fatalf("a job that failed while the filter was on: %d rows, want 1", m.Len())
	}
	m.Upsert(data.Job{Key: "b", State: data.StatePending, Model: "flux-schnell"}, t0)
	if m.Len() != 0 {
		t.Fatalf("a job that no longer matches still shows: %d rows", m.Len())
	}
}

// s cycles the order: queue order, state (problems first), model, age
// (newest first); the selected job stays selected.
func TestSortCycles(t *testing.T) {
	m := New()
	add := func(k, model string, s data.State, age int) {
		m.Upsert(data.Job{Key: k, Model: model, State: s, Enqueued: t0.Add(-time.Duration(age) * time.Second)}, t0)
	}
	add("a", "sdxl", data.StateSucceeded, 40)
	add("b", "flux-dev", data.StateFailed, 30)
	add("c", "veo-3.1", data.StatePending, 10)
	add("d", "flux-dev", data.StateRunning, 20)
	order := func() string {
		var ks []string
		for i := range m.Len() {
			ks = append(ks, m.at(i).Key)
		}
		return strings.Join(ks, "")
	}
	m.Move(2) // on c
	for _, want := range []struct{ name, order string }{
		{"state", "bdca"}, {"model", "bdac"}, {"age", "cdba"}, {"queue order", "abcd"},
	} {
		if got := m.CycleSort(); got != want.name || order() != want.order {
			t.Fatalf("sorted by %q: %s, want %q: %s", got, order(), want.name, want.order)
		}
		if j, _ := m.Selected(); j.Key != "c" {
			t.Fatalf("sorted by %s: selected %s, want c", want.name, j.Key)
		}
	}
	// a job that changes state moves while sorted by state
	m.CycleSort()
	m.Upsert(data.Job{Key: "a", Model: "sdxl", State: data.StateFailed, Enqueued: t0.Add(-40 * time.Second)}, t0)
	if got := order(); got != "abdc" {
		t.Fatalf("after a failed: %s, want abdc", got)
	}
}
