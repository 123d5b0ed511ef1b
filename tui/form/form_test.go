package form

import (
	"encoding/json"
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

func pickAndType(f *AddJob, id, main string) {
	for i, m := range f.models {
		if m.ID == id {
			f.pick = i
		}
	}
	f.Update(tea.KeyPressMsg{Code: tea.KeyEnter}) // to the main input
	typeInto(&f.Prompt, main)
}

// The form asks for the input the picked model accepts: tts-1 wants
// "text" (stated by /v1/models' inputs, or implied by an audio kind when
// the server lists no inputs), image models want "prompt".
func TestAddJobBuildsItsFieldsFromTheModel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model apiclient.Model
		want  string
	}{
		{"stated inputs", apiclient.Model{ID: "tts-1", Kind: "audio", Inputs: []apiclient.Input{
			{Name: "ref", Type: "string"}, {Name: "text", Type: "string", Required: true}, {Name: "voice", Type: "string", Enum: []string{"nova"}}}}, "text"},
		{"audio kind, no inputs listed", apiclient.Model{ID: "tts-1", Kind: "audio"}, "text"},
		{"image", apiclient.Model{ID: "flux-schnell", Kind: "image"}, "prompt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewAddJob()
			f.SetModels([]apiclient.Model{tc.model}, nil)
			pickAndType(&f, tc.model.ID, "hello there")
			v := strings.Join(f.View(100, styles.New(true, true)), "\n")
			if !strings.Contains(v, tc.want+" ") {
				t.Errorf("the form does not ask for %q:\n%s", tc.want, v)
			}
			spec, err := f.Value()
			if err != nil {
				t.Fatal(err)
			}
			var in map[string]any
			if err := json.Unmarshal(spec.Input, &in); err != nil {
				t.Fatal(err)
			}
			if in[tc.want] != "hello there" || len(in) != 1 {
				t.Errorf("input %s, want only %q", spec.Input, tc.want)
			}
		})
	}
}

// A model that needs a higher plan than the balance's says so in the list.
func TestAddJobMarksModelsAboveThePlan(t *testing.T) {
	f := NewAddJob()
	f.SetModels([]apiclient.Model{{ID: "flux-schnell", Kind: "image"}, {ID: "kling-2.6", Kind: "video", MinPlan: "pro"}, {ID: "veo-3.1", Kind: "video", MinPlan: "team"}}, nil)
	f.SetPlan("pro")
	v := strings.Join(f.View(100, styles.New(true, true)), "\n")
	if !strings.Contains(v, "needs team plan") {
		t.Errorf("veo-3.1 not marked as needing the team plan:\n%s", v)
	}
	if strings.Contains(v, "needs pro plan") || strings.Count(v, "needs") != 1 {
		t.Errorf("a model the pro plan covers is marked:\n%s", v)
	}
}
