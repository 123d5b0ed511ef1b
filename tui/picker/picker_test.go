package picker

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

func items(ids ...string) []Item {
	var out []Item
	for _, id := range ids {
		out = append(out, Item{Batch: data.Batch{ID: id, Source: "/x/" + id + ".jsonl", State: "running", PID: 1, Total: 3}})
	}
	return out
}

// A reload keeps the selected batch selected when it moved, and the first
// load selects the batch shown.
func TestSetKeepsTheSelection(t *testing.T) {
	m := New("b")
	m.Set(items("a", "b", "c"), nil)
	if it, _ := m.Selected(); it.Batch.ID != "b" {
		t.Fatalf("first load selected %q, want the one shown", it.Batch.ID)
	}
	m.Move(1)
	m.Set(items("new", "a", "b", "c"), nil)
	if it, _ := m.Selected(); it.Batch.ID != "c" {
		t.Fatalf("after a reload %q is selected, want c", it.Batch.ID)
	}
	m.Move(100)
	if it, _ := m.Selected(); it.Batch.ID != "c" {
		t.Fatalf("moved past the end to %q", it.Batch.ID)
	}
}

// Every row fits the width, the selected one is marked, and a long list
// scrolls to keep it in view.
func TestViewFitsAndFollowsTheSelection(t *testing.T) {
	m := New("")
	m.Set(items("a", "b", "c", "d", "e", "f"), nil)
	m.Move(5)
	lines := m.View(50, 4, styles.New(true, true))
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4", len(lines))
	}
	for i, l := range lines {
		if text.Width(l) > 50 {
			t.Fatalf("line %d is %d cells: %q", i, text.Width(l), l)
		}
	}
	if last := ansi.Strip(lines[3]); !strings.HasPrefix(last, "▸ f.jsonl") {
		t.Fatalf("the selected row is not shown last: %q", last)
	}
}
