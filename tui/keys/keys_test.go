package keys

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func TestRemapAppliesAndShowsInHelp(t *testing.T) {
	k, errs := New(map[string][]string{"pause": {"P", " "}, "quit": {"Q"}})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if key.Matches(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}, k.Pause) {
		t.Error("space still pauses")
	}
	if got := k.Pause.Help().Key; got != "P" {
		t.Errorf("help key = %q, want P", got)
	}
	var found bool
	for _, col := range k.FullHelp() {
		for _, b := range col {
			if b.Help().Key == "Q" && b.Help().Desc == "quit" {
				found = true
			}
		}
	}
	if !found {
		t.Error("full help does not show the remapped quit key")
	}
}

func TestRemapReportsBadEntriesAndKeepsDefaults(t *testing.T) {
	k, errs := New(map[string][]string{"fly": {"f"}, "retry": {}})
	if len(errs) != 2 {
		t.Fatalf("errs = %v", errs)
	}
	if !strings.Contains(errs[0].Error(), "keys.fly: unknown action") || !strings.Contains(errs[1].Error(), "keys.retry: no keys") {
		t.Errorf("errs = %v", errs)
	}
	if k.Retry.Help().Key != "r" {
		t.Error("retry lost its default")
	}
}

func TestEveryShortHelpBindingIsInFullHelp(t *testing.T) {
	k := Default()
	in := map[string]bool{}
	for _, col := range k.FullHelp() {
		for _, b := range col {
			in[b.Help().Key] = true
		}
	}
	for _, b := range k.ShortHelp() {
		if !in[b.Help().Key] {
			t.Errorf("%q (%s) missing from full help", b.Help().Key, b.Help().Desc)
		}
	}
}

func TestRemapReportsAKeyBoundTwice(t *testing.T) {
	k, errs := New(map[string][]string{"pause": {"q"}})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `keys.pause: "q" is already quit's key`) {
		t.Fatalf("errs = %v", errs)
	}
	// the colliding remap is not applied: q still quits, pause keeps its keys
	if got := k.Pause.Keys(); strings.Join(got, " ") != "space p" {
		t.Errorf("pause keys %v after a refused remap, want the defaults", got)
	}
	if got := k.Quit.Keys(); got[0] != "q" {
		t.Errorf("quit keys %v", got)
	}
	if _, errs := New(nil); len(errs) != 0 {
		t.Fatalf("defaults conflict: %v", errs)
	}
}
