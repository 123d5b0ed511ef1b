package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
)

// previewQueue is a fakeQueue that estimates files (tui.Previewer).
type previewQueue struct {
	*fakeQueue
	lines []string
}

func (q *previewQueue) PreviewFile(ctx context.Context, path string) ([]string, error) {
	q.rec("preview " + path)
	return q.lines, nil
}

// The first enter shows the estimate and loads nothing; the second loads;
// esc on the estimate cancels without loading.
func TestOpenFilePreviewsBeforeLoading(t *testing.T) {
	q := &previewQueue{fakeQueue: newFakeQueue(nil), lines: []string{"Dry run: 120 jobs · 1,330 credits · 120 writes (nothing sent)", "veo-3.1  video  20  40  800\x1b[2J"}}
	newModel := func() *Model {
		m := New(Options{Monitor: &fakeMonitor{}, Queue: q, Observations: make(chan apiclient.Observation), Now: func() time.Time { return t0 }, NoColor: true})
		m.Update(windowSizeMsg(110, 30))
		m.Update(keyMsg("o"))
		typeText(m, "batch.jsonl")
		_, cmd := m.Update(keyMsg("enter"))
		for _, msg := range run(cmd) {
			m.Update(msg)
		}
		return m
	}
	m := newModel()
	v := plain(m)
	for _, want := range []string{"Estimate", "enter queue these jobs · esc cancel", "1,330 credits", "veo-3.1"} {
		if !strings.Contains(v, want) {
			t.Fatalf("preview lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "\x1b[2J") {
		t.Fatal("a control sequence from the server reached the screen")
	}
	if got := strings.Join(q.Calls(), ","); got != "preview batch.jsonl" {
		t.Fatalf("calls %q, want only the preview", got)
	}
	_, cmd := m.Update(keyMsg("enter"))
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if v := plain(m); !strings.Contains(v, "queued 50 jobs from batch.jsonl") {
		t.Fatalf("second enter did not load:\n%s", v)
	}

	q.fakeQueue = newFakeQueue(nil)
	m = newModel()
	m.Update(keyMsg("esc"))
	if got := strings.Join(q.Calls(), ","); got != "preview batch.jsonl" {
		t.Fatalf("esc on the estimate: calls %q, want no load", got)
	}
}
