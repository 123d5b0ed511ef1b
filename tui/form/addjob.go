package form

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/plans"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// Action is what a form wants after a key.
type Action int

const (
	None    Action = iota
	Submit         // the form is valid: read its value
	Close          // the user closed it
	Preview        // estimate the file before loading it (OpenFile)
)

// Spec is a job the user typed.
type Spec = data.Spec

// AddJob is the add-a-job form: model picker, prompt, extra parameters.
type AddJob struct {
	models  []apiclient.Model
	loading bool
	loadErr string
	plan    string
	pick    int
	focus   int // 0 model, 1 prompt, 2 params
	Prompt  Field
	Params  Field
	err     string
}

// NewAddJob starts the form; the models arrive later with SetModels.
func NewAddJob() AddJob {
	return AddJob{
		loading: true,
		Prompt:  Field{Prompt: "prompt  ", Placeholder: "required, e.g. a lighthouse at dusk, 35mm"},
		Params:  Field{Prompt: "params  ", Placeholder: `optional JSON object, e.g. {"seed": 7}`},
	}
}

// SetPlan tells the form the organization's plan (from /v1/balance).
func (f *AddJob) SetPlan(plan string) { f.plan = plan }

// SetModels delivers GET /v1/models (or its error).
func (f *AddJob) SetModels(ms []apiclient.Model, err error) {
	f.loading = false
	if err != nil {
		f.loadErr = text.Clean(err.Error())
		return
	}
	// model ids and kinds come from the server: drawn, so cleaned
	f.models = make([]apiclient.Model, len(ms))
	for i, m := range ms {
		m.ID, m.Kind, m.MinPlan = text.Clean(m.ID), text.Clean(m.Kind), text.Clean(m.MinPlan)
		m.Inputs = append([]apiclient.Input(nil), m.Inputs...)
		for k := range m.Inputs {
			m.Inputs[k].Name = text.Clean(m.Inputs[k].Name)
		}
		f.models[i] = m
	}
	f.setPick(0)
}

// setPick picks model i and relabels the inputs for it: the main field is
// the member that model reads its text from ("prompt", or "text" for
// text to speech), the params hint lists its other inputs.
func (f *AddJob) setPick(i int) {
	f.pick = i
	if i >= len(f.models) {
		return
	}
	m := f.models[i]
	main := m.MainInput()
	f.Prompt.Prompt = fmt.Sprintf("%-8s", main)
	f.Prompt.Placeholder = "required, e.g. a lighthouse at dusk, 35mm"
	if main != "prompt" {
		f.Prompt.Placeholder = "required: the " + m.Kind + " model reads its " + main + " here"
	}
	var others []string
	for _, in := range m.Inputs {
		if in.Name == main || in.Name == "ref" {
			continue
		}
		name := in.Name
		if len(in.Enum) > 0 {
			name += "=" + strings.Join(in.Enum, "|")
		}
		others = append(others, name)
	}
	f.Params.Placeholder = `optional JSON object, e.g. {"seed": 7}`
	if len(others) > 0 {
		f.Params.Placeholder = "optional JSON object: " + strings.Join(others, ", ")
	} else if len(m.Inputs) > 0 {
		f.Params.Placeholder = "optional JSON object (this model takes no other inputs)"
	}
}

// planNote says when the organization's plan cannot run m ("" when it can
// or the model needs no plan).
func (f *AddJob) planNote(m apiclient.Model) string {
	if m.MinPlan == "" {
		return ""
	}
	covers, known := plans.Covers(f.plan, m.MinPlan)
	switch {
	case !known:
		return m.MinPlan + " plan or higher"
	case !covers:
		return "needs " + m.MinPlan + " plan (yours: " + text.Clean(f.plan) + ")"
	}
	return ""
}

func (f *AddJob) setFocus(i int) {
	f.focus = (i + 3) % 3
	f.Prompt.Blur()
	f.Params.Blur()
	switch f.focus {
	case 1:
		f.Prompt.Focus()
	case 2:
		f.Params.Focus()
	}
}

// Update handles a message; Submit means Value is ready.
func (f *AddJob) Update(msg tea.Msg) Action {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return Close
		case "tab", "down":
			if k.String() == "down" && f.focus == 0 {
				f.setPick(min(f.pick+1, max(0, len(f.models)-1)))
				return None
			}
			f.setFocus(f.focus + 1)
			return None
		case "shift+tab", "up":
			if k.String() == "up" && f.focus == 0 {
				f.setPick(max(0, f.pick-1))
				return None
			}
			f.setFocus(f.focus - 1)
			return None
		case "enter":
			if f.focus < 2 {
				f.setFocus(f.focus + 1)
				return None
			}
			if _, err := f.Value(); err != nil {
				f.err = err.Error()
				return None
			}
			return Submit
		}
	}
	f.err = ""
	switch f.focus {
	case 1:
		f.Prompt.Update(msg)
	case 2:
		f.Params.Update(msg)
	}
	return None
}

// Value validates the form and returns the job.
func (f *AddJob) Value() (Spec, error) {
	if len(f.models) == 0 {
		return Spec{}, errors.New("model: no models loaded")
	}
	main := f.models[f.pick].MainInput()
	p := strings.TrimSpace(f.Prompt.Value())
	if p == "" {
		return Spec{}, errors.New(main + ": must not be empty")
	}
	input := map[string]any{}
	if s := strings.TrimSpace(f.Params.Value()); s != "" {
		if err := json.Unmarshal([]byte(s), &input); err != nil {
			return Spec{}, fmt.Errorf("params: not a JSON object: %v", err)
		}
	}
	input[main] = p
	raw, err := json.Marshal(input)
	if err != nil {
		return Spec{}, fmt.Errorf("params: %v", err)
	}
	return Spec{Model: f.models[f.pick].ID, Input: raw}, nil
}

// View renders the form in w cells.
func (f *AddJob) View(w int, st styles.Styles) []string {
	l := []string{st.Title.Render("Add a job") + st.Dim.Render("  tab next · enter submit · esc close")}
	marker := func(i int) string {
		if f.focus == i {
			return "▸ "
		}
		return "  "
	}
	switch {
	case f.loading:
		l = append(l, marker(0)+"model   "+st.Dim.Render("loading /v1/models…"))
	case f.loadErr != "":
		l = append(l, marker(0)+"model   "+st.Critical.Render("✗ "+f.loadErr))
	default:
		// a window of five models around the pick
		start := max(0, min(f.pick-2, len(f.models)-5))
		for i := start; i < min(len(f.models), start+5); i++ {
			m := f.models[i]
			mark := "  "
			if i == f.pick {
				mark = "● "
			}
			prefix := "          "
			if i == start {
				prefix = marker(0) + "model   "
			}
			line := prefix + mark + fmt.Sprintf("%-18s %-6s %s", m.ID, m.Kind, format.Credits(m.Credits))
			note := f.planNote(m)
			switch {
			case i == f.pick && f.focus == 0:
				line = st.Selected.Render(text.Fit(line+"  "+note, w))
			case note != "":
				line += "  " + st.Warning.Render(note)
			}
			l = append(l, line)
		}
	}
	l = append(l, marker(1)+f.Prompt.View(w-2, st.Dim))
	l = append(l, marker(2)+f.Params.View(w-2, st.Dim))
	if f.err != "" {
		l = append(l, st.Critical.Render("✗ "+f.err))
	}
	for i := range l {
		l[i] = text.Cut(l[i], w)
	}
	return l
}
