package chart

import "math"

// Pair folds samples two by two into one value per cell, for a chart that
// draws two samples per cell in one row and one per cell in another: each
// cell takes the larger of its two samples (a gap only when both are
// gaps) and is marked when either sample is. peak is the largest value
// (0 when every cell is a gap). values and flags have the same even length.
func Pair(values []float64, flags []bool) (cells []float64, marks []bool, peak float64) {
	n := len(values) / 2
	cells = make([]float64, n)
	marks = make([]bool, n)
	for i := range n {
		a, b := values[2*i], values[2*i+1]
		switch {
		case math.IsNaN(a):
			cells[i] = b
		case math.IsNaN(b):
			cells[i] = a
		default:
			cells[i] = max(a, b)
		}
		if !math.IsNaN(cells[i]) {
			peak = max(peak, cells[i])
		}
		if 2*i+1 < len(flags) {
			marks[i] = flags[2*i] || flags[2*i+1]
		}
	}
	return cells, marks, peak
}
