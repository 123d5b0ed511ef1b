package header

import (
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// At 60 columns the sandbox header read "ab_…vQT9 (sandbox) · SANDB…"
// (tmux): the badge was cut while saying "sandbox" twice.
func TestNarrowHeaderKeepsTokenAndSandboxBadgeWhole(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	in := Info{Plan: "team", Profile: "default", MaskedToken: "ab_…vQT9", TokenSource: "sandbox",
		Sandbox: true, Conn: Live, LastData: now, Now: now}
	for _, w := range []int{60, 80, 100} {
		got := Render(in, w, styles.New(true, true))
		if text.Width(got) != w {
			t.Errorf("%d cols: header is %d cells", w, text.Width(got))
		}
		if !strings.Contains(got, "ab_…vQT9") || !strings.Contains(got, "SANDBOX") || strings.Contains(got, "…SANDB") {
			t.Errorf("%d cols: %q", w, got)
		}
		if strings.Count(strings.ToLower(got), "sandbox") != 1 {
			t.Errorf("%d cols: sandbox said twice: %q", w, got)
		}
	}
	in.Sandbox, in.TokenSource = false, "env"
	if got := Render(in, 100, styles.New(true, true)); !strings.Contains(got, "ab_…vQT9 (env)") {
		t.Errorf("token source dropped: %q", got)
	}
}

// The plan is capitalised by rune: slicing its first byte split "équipe".
func TestPlanCapitalisedByRune(t *testing.T) {
	got := Render(Info{Plan: "équipe", Conn: Connecting}, 80, styles.New(true, true))
	if !strings.Contains(got, "Équipe plan") {
		t.Fatalf("header %q", got)
	}
}

// Below 60 columns (gauges only) the badge stays whole: the state on the
// right drops "updated" before the left side is cut.
func TestGaugesOnlyHeaderKeepsTheBadge(t *testing.T) {
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	in := Info{MaskedToken: "ab_…AbDo", TokenSource: "sandbox", Sandbox: true, Conn: Live, LastData: now, Now: now}
	got := Render(in, 50, styles.New(true, true))
	if !strings.Contains(got, "SANDBOX") || !strings.Contains(got, "● live · 0s ago") {
		t.Fatalf("50 cols: %q", got)
	}
}

func TestLimiterShownAndDegradedMarked(t *testing.T) {
	st := styles.New(true, true)
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	in := Info{Profile: "default", MaskedToken: "ab_…wxyz", Now: now, Conn: Live, LastData: now,
		Limiter: budget.Sharing{Shared: true, Peers: 3, Text: "shared via redis · 3 submitters · share 1/3"}}
	if out := Render(in, 160, st); !strings.Contains(out, "shared via redis · 3 submitters · share 1/3") {
		t.Errorf("header does not show the shared budget:\n%s", out)
	}
	in.Limiter = budget.Sharing{Shared: true, Degraded: true, Peers: 3, Text: "redis unreachable, local share 1/3"}
	if out := Render(in, 160, st); !strings.Contains(out, "⚠ redis unreachable, local share 1/3") {
		t.Errorf("a degraded limiter must be marked by a glyph, not only colour:\n%s", out)
	}
}

// Other processes' batches are named in the header, escaped.
func TestOtherBatchesShown(t *testing.T) {
	in := Info{Profile: "default", Now: time.Now(), Batches: "other batch: big\x1b[2J.jsonl 12/200 sent"}
	got := Render(in, 120, styles.New(true, true))
	if !strings.Contains(got, "other batch: big") || strings.Contains(got, "\x1b[2J") {
		t.Fatalf("header %q", got)
	}
}
