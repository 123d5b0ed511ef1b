package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Model is one entry of the catalogue: its price, the plan it needs, how
// long it runs, and the input fields it accepts.
type Model struct {
	ID      string
	Name    string
	Kind    string // image | video | audio
	Credits float64
	MinPlan string // "" = every plan
	RunTime time.Duration
	fields  []field
}

// field describes one accepted input member.
type field struct {
	name     string
	kind     string // "string" | "int"
	required bool
	maxLen   int      // strings: maximum length in bytes
	min, max int      // ints: inclusive range (when oneOf is empty)
	oneOf    []int    // ints: allowed values
	enum     []string // strings: allowed values
}

func prompt() field { return field{name: "prompt", kind: "string", required: true, maxLen: 4000} }
func ref() field    { return field{name: "ref", kind: "string", maxLen: 200} }
func imageFields(extra ...field) []field {
	return append([]field{prompt(), ref(),
		{name: "width", kind: "int", min: 256, max: 2048},
		{name: "height", kind: "int", min: 256, max: 2048},
		{name: "num_images", kind: "int", min: 1, max: 4},
		{name: "seed", kind: "int", min: 0, max: 1<<31 - 1},
	}, extra...)
}
func videoFields(durations []int) []field {
	return []field{prompt(), ref(),
		{name: "duration", kind: "int", oneOf: durations},
		{name: "aspect_ratio", kind: "string", enum: []string{"16:9", "9:16", "1:1"}},
	}
}

// Catalog returns the models the sandbox serves, in GET /v1/models order.
// "ref" is accepted by every model: it is the caller's own reference,
// used by the duplicate_jobs counter.
func Catalog() []Model {
	return []Model{
		{ID: "flux-schnell", Name: "FLUX.1 [schnell]", Kind: "image", Credits: 1, RunTime: 2 * time.Second, fields: imageFields()},
		{ID: "flux-dev", Name: "FLUX.1 [dev]", Kind: "image", Credits: 3, RunTime: 8 * time.Second, fields: imageFields()},
		{ID: "sdxl", Name: "Fast SDXL", Kind: "image", Credits: 2, RunTime: 5 * time.Second,
			fields: imageFields(field{name: "negative_prompt", kind: "string", maxLen: 4000})},
		{ID: "kling-2.6", Name: "Kling 2.6", Kind: "video", Credits: 20, MinPlan: PlanPro, RunTime: 90 * time.Second, fields: videoFields([]int{5, 10})},
		{ID: "veo-3.1", Name: "Veo 3.1", Kind: "video", Credits: 40, MinPlan: PlanTeam, RunTime: 120 * time.Second, fields: videoFields([]int{4, 6, 8})},
		{ID: "sora-2-pro", Name: "Sora 2 Pro", Kind: "video", Credits: 60, MinPlan: PlanBusiness, RunTime: 180 * time.Second, fields: videoFields([]int{4, 8, 12})},
		{ID: "tts-1", Name: "Text to Speech", Kind: "audio", Credits: 0.5, RunTime: 3 * time.Second, fields: []field{ref(),
			{name: "text", kind: "string", required: true, maxLen: 5000},
			{name: "voice", kind: "string", enum: []string{"alloy", "ember", "nova", "sage", "verse"}},
			{name: "format", kind: "string", enum: []string{"mp3", "wav"}},
		}},
	}
}

func lookupModel(id string) (Model, bool) {
	for _, m := range Catalog() {
		if m.ID == id {
			return m, true
		}
	}
	return Model{}, false
}

// fieldError is one entry of a validation_failed "errors" array.
type fieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// jobRequest is a validated POST /v1/jobs body.
type jobRequest struct {
	model   Model
	input   map[string]any // json.Number for numbers
	raw     json.RawMessage
	ref     string
	webhook string
}

// parseJobRequest decodes and validates a POST /v1/jobs body. A body that
// is not a JSON object is invalid_request (err); field problems are
// returned as errs, sorted by pointer, all at once.
func parseJobRequest(body []byte) (req jobRequest, errs []fieldError, err error) {
	var top map[string]json.RawMessage
	if len(bytes.TrimSpace(body)) == 0 {
		return req, nil, fmt.Errorf("request body is empty; want a JSON object like {\"model\":\"flux-schnell\",\"input\":{\"prompt\":\"…\"}}")
	}
	if e := json.Unmarshal(body, &top); e != nil || top == nil {
		if e == nil {
			e = fmt.Errorf("got null")
		}
		return req, nil, fmt.Errorf("request body is not a JSON object: %v", e)
	}
	for k := range top {
		if k != "model" && k != "input" && k != "webhook" {
			errs = append(errs, fieldError{"/" + k, "unknown field; a job has \"model\", \"input\" and optionally \"webhook\""})
		}
	}
	if raw, ok := top["webhook"]; ok {
		var hook string
		if json.Unmarshal(raw, &hook) != nil {
			errs = append(errs, fieldError{"/webhook", "must be a string"})
		} else if d := checkWebhookURL(hook); d != "" {
			errs = append(errs, fieldError{"/webhook", d})
		} else {
			req.webhook = hook
		}
	}
	var modelID string
	rawModel, ok := top["model"]
	switch {
	case !ok:
		errs = append(errs, fieldError{"/model", "is required"})
	case json.Unmarshal(rawModel, &modelID) != nil:
		errs = append(errs, fieldError{"/model", "must be a string"})
	default:
		m, found := lookupModel(modelID)
		if !found {
			errs = append(errs, fieldError{"/model", fmt.Sprintf("unknown model %q; GET /v1/models lists them", modelID)})
		} else {
			req.model = m
		}
	}
	rawInput, ok := top["input"]
	if !ok {
		errs = append(errs, fieldError{"/input", "is required"})
	} else {
		dec := json.NewDecoder(bytes.NewReader(rawInput))
		dec.UseNumber()
		if dec.Decode(&req.input) != nil || req.input == nil {
			errs = append(errs, fieldError{"/input", "must be an object"})
		} else if req.model.ID != "" {
			errs = append(errs, validateInput(req.model, req.input)...)
			req.raw = rawInput
			req.ref, _ = req.input["ref"].(string)
		}
	}
	slices.SortFunc(errs, func(a, b fieldError) int { return strings.Compare(a.Pointer, b.Pointer) })
	return req, errs, nil
}

func validateInput(m Model, in map[string]any) []fieldError {
	var errs []fieldError
	known := map[string]bool{}
	for _, f := range m.fields {
		known[f.name] = true
		ptr := "/input/" + f.name
		v, ok := in[f.name]
		if !ok || v == nil {
			if f.required {
				errs = append(errs, fieldError{ptr, "is required"})
			}
			continue
		}
		if d := f.check(v); d != "" {
			errs = append(errs, fieldError{ptr, d})
		}
	}
	for k := range in {
		if !known[k] {
			errs = append(errs, fieldError{"/input/" + k, fmt.Sprintf("unknown field for model %s", m.ID)})
		}
	}
	return errs
}

// check returns "" when v is acceptable, else what is wrong with it.
func (f field) check(v any) string {
	switch f.kind {
	case "string":
		s, ok := v.(string)
		if !ok {
			return "must be a string"
		}
		if f.required && strings.TrimSpace(s) == "" {
			return "must not be empty"
		}
		if f.maxLen > 0 && len(s) > f.maxLen {
			return fmt.Sprintf("is %d bytes long; at most %d", len(s), f.maxLen)
		}
		if len(f.enum) > 0 && !slices.Contains(f.enum, s) {
			return fmt.Sprintf("must be one of %s", strings.Join(f.enum, ", "))
		}
	case "int":
		n, ok := v.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil {
			return "must be an integer"
		}
		if len(f.oneOf) > 0 {
			if !slices.Contains(f.oneOf, int(i)) {
				return fmt.Sprintf("must be one of %s", joinInts(f.oneOf))
			}
		} else if i < int64(f.min) || i > int64(f.max) {
			return fmt.Sprintf("must be between %d and %d", f.min, f.max)
		}
	}
	return ""
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func intInput(in map[string]any, name string, def int) int {
	if n, ok := in[name].(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return int(i)
		}
	}
	return def
}

func stringInput(in map[string]any, name, def string) string {
	if s, ok := in[name].(string); ok && s != "" {
		return s
	}
	return def
}

// runTime is how long a job of this request runs: the model's base time,
// longer for long videos and speech, with ±20 % seeded jitter.
func (r jobRequest) runTime(rng *rand.Rand, scale float64) time.Duration {
	d := r.model.RunTime
	switch r.model.Kind {
	case "video":
		d = d * time.Duration(intInput(r.input, "duration", 5)) / 5
	case "audio":
		d += time.Duration(len(stringInput(r.input, "text", ""))) * 10 * time.Millisecond
	}
	jitter := 0.8 + 0.4*rng.Float64()
	return time.Duration(float64(d) * jitter * scale)
}
