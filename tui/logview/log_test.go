package logview

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/tui/styles"
)

func TestLogIsBoundedAndSaysWhatItDropped(t *testing.T) {
	m := New(5)
	t0 := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	for i := range 8 {
		m.Add(Entry{At: t0, Level: styles.Calm, Text: fmt.Sprintf("req %d", i)})
	}
	if m.Len() != 5 {
		t.Fatalf("len %d", m.Len())
	}
	m.Scroll(100)
	out := strings.Join(m.View(80, 10, styles.New(true, true)), "\n")
	if !strings.Contains(out, "3 older entries not kept") || !strings.Contains(out, "req 3") {
		t.Fatalf("view:\n%s", out)
	}
	m.Scroll(-100)
	if out := m.View(80, 2, styles.New(true, true)); !strings.Contains(out[1], "req 7") {
		t.Fatalf("tail view: %q", out)
	}
}
