package detail

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

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
