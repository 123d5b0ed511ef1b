package chart

import (
	"math"
	"testing"
)

func TestPair(t *testing.T) {
	gap := math.NaN()
	cells, marks, peak := Pair([]float64{1, 3, gap, 2, 4, gap, gap, gap}, []bool{false, false, false, true, true, false, false, false})
	want := []float64{3, 2, 4, gap}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(cells[i]) || !math.IsNaN(want[i]) && cells[i] != want[i] {
			t.Errorf("cell %d = %v, want %v", i, cells[i], want[i])
		}
	}
	if marks[0] || !marks[1] || !marks[2] || marks[3] {
		t.Errorf("marks %v, want [false true true false]", marks)
	}
	if peak != 4 {
		t.Errorf("peak %v, want 4", peak)
	}
}
