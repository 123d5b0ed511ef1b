package chart

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAreaDrawsGapsAsBlankNotZero(t *testing.T) {
	// 4 cells × 1 row: samples 0..7; a gap in cell 1 (samples 2,3), zero in cell 2
	v := []float64{4, 4, Gap(), Gap(), 0, 0, 2, 2}
	got := Area(v, 4, 1, 4)
	if len(got) != 1 || utf8.RuneCountInString(got[0]) != 4 {
		t.Fatalf("Area = %q", got)
	}
	cells := []rune(got[0])
	if cells[0] != '⣿' {
		t.Errorf("full cell = %q, want ⣿", cells[0])
	}
	if cells[1] != ' ' {
		t.Errorf("gap cell = %q, want blank", cells[1])
	}
	if cells[2] != ' ' {
		t.Errorf("zero cell = %q, want blank (no dots at 0)", cells[2])
	}
	if cells[3] != '⣤' {
		t.Errorf("half cell = %q, want ⣤", cells[3])
	}
}

func TestAreaRightAlignsShortHistory(t *testing.T) {
	got := Area([]float64{1, 1}, 3, 1, 1)
	if got[0] != "  ⣿" {
		t.Fatalf("Area = %q, want the newest data at the right edge", got[0])
	}
}

func TestSparklineAndMarks(t *testing.T) {
	if got := Sparkline([]float64{0, Gap(), 8}, 4, 8); got != " ▁ █" {
		t.Errorf("Sparkline = %q", got)
	}
	if got := Marks([]bool{false, true, false, false}, 2, 2, "✕"); got != "✕ " {
		t.Errorf("Marks = %q", got)
	}
	if strings.Contains(Sparkline(nil, 3, 0), "▁") {
		t.Error("empty sparkline drew data")
	}
}
