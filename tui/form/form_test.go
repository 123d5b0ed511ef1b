package form

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

func typeInto(f *Field, s string) {
	for _, r := range s {
		f.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func TestFieldEditsByRuneAndFitsByCell(t *testing.T) {
	f := Field{Prompt: "> "}
	f.Focus()
	typeInto(&f, "日本語abc")
	f.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	f.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	f.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	typeInto(&f, "X")
	if f.Value() != "日本語Xab" {
		t.Fatalf("value %q", f.Value())
	}
	if w := text.Width(f.View(8, styles.Paint{})); w > 8 {
		t.Errorf("view is %d cells in 8", w)
	}
	f.Update(tea.PasteMsg{Content: "a\nb"})
	if strings.ContainsAny(f.Value(), "\n") {
		t.Error("paste kept a newline")
	}
}

func TestAddJobValidatesBeforeSubmitting(t *testing.T) {
	f := NewAddJob()
	if _, err := f.Value(); err == nil {
		t.Fatal("no models, yet valid")
	}
	f.SetModels([]apiclient.Model{{ID: "flux-schnell"}}, nil)
	f.Update(tea.KeyPressMsg{Code: tea.KeyEnter}) // to prompt
	f.Update(tea.KeyPressMsg{Code: tea.KeyEnter}) // to params
	if a := f.Update(tea.KeyPressMsg{Code: tea.KeyEnter}); a != None {
		t.Fatal("empty prompt submitted")
	}
	if !strings.Contains(strings.Join(f.View(80, styles.New(true, true)), "\n"), "prompt: must not be empty") {
		t.Error("error not shown")
	}
}
