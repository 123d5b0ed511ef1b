package detail

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/styles"
)

// The output is indented two cells per level under a two-cell margin
// (tmux showed "  {" over "      \"images\"": the prefix was doubled).
func TestOutputIsIndentedEvenly(t *testing.T) {
	j := data.Job{Key: "k", ID: "job_1", Model: "flux-schnell", State: data.StateSucceeded,
		Output: json.RawMessage(`{"images":[{"url":"u"}]}`)}
	got := strings.Join(Render(j, true, 80, 40, 0, time.Time{}, styles.New(true, true)), "\n")
	want := "  {\n    \"images\": [\n      {\n        \"url\": \"u\"\n      }\n    ]\n  }"
	if !strings.Contains(got, want) {
		t.Fatalf("output block:\n%s\nwant:\n%s", got, want)
	}
}

// In a four-line detail box (100×30) the output heading used to be the
// last line with nothing under it; a small box gets it on one line.
func TestSmallBoxShowsTheOutputOnOneLine(t *testing.T) {
	j := data.Job{Key: "k", ID: "job_1", Model: "flux-schnell", State: data.StateSucceeded,
		Output: json.RawMessage(`{"url": "https://cdn.example/a.png", "seed": 7}`)}
	got := Render(j, true, 98, 4, 0, time.Time{}, styles.New(true, true))
	if len(got) != 3 || ansi.Strip(got[2]) != `output {"url":"https://cdn.example/a.png","seed":7}` {
		t.Fatalf("small box:\n%s", strings.Join(got, "\n"))
	}
}
