// Package chart draws small history charts in text: a braille area chart
// and a block sparkline. Missing samples (NaN) are drawn as gaps, never as
// zero, so "no data" cannot be mistaken for "budget empty".
package chart

import (
	"math"
	"strings"
)

// Gap returns the value that marks a missing sample (NaN). A function,
// not a variable: no package-level state anyone could overwrite.
func Gap() float64 { return math.NaN() }

// braille dot bits, indexed [row 0..3 from top][column 0..1].
func dot(row, col int) rune {
	const bits = "\x01\x08\x02\x10\x04\x20\x40\x80"
	return rune(bits[2*row+col])
}

// Area draws values (oldest first) as a filled braille area of width×height
// cells; each cell holds two samples side by side and four levels. Only the
// last 2*width samples are drawn, right-aligned. top ≤ 0 means the largest
// value. It returns height lines of exactly width cells.
func Area(values []float64, width, height int, top float64) []string {
	if width <= 0 || height <= 0 {
		return nil
	}
	if n := 2 * width; len(values) > n {
		values = values[len(values)-n:]
	}
	if top <= 0 {
		for _, v := range values {
			if !math.IsNaN(v) && v > top {
				top = v
			}
		}
	}
	grid := make([][]rune, height)
	for r := range grid {
		grid[r] = make([]rune, width)
	}
	levels := 4 * height
	off := 2*width - len(values) // right-align: the newest sample at the right edge
	for i, v := range values {
		if math.IsNaN(v) {
			continue
		}
		x := off + i
		col, sub := x/2, x%2
		h := 0
		if top > 0 {
			h = int(math.Round(v / top * float64(levels)))
		}
		if h < 1 && v > 0 {
			h = 1 // a non-zero value is always visible
		}
		if h > levels {
			h = levels
		}
		for d := 0; d < h; d++ {
			row := height - 1 - d/4
			grid[row][col] |= dot(3-d%4, sub)
		}
	}
	out := make([]string, height)
	var b strings.Builder
	for r, row := range grid {
		b.Reset()
		for _, c := range row {
			if c == 0 {
				b.WriteByte(' ')
			} else {
				b.WriteRune(0x2800 + c)
			}
		}
		out[r] = b.String()
	}
	return out
}

// blocks are the sparkline's eight levels, U+2581..U+2588 (a constant:
// the block for level i is blockLow + i).
const (
	blockLow = '▁'
	nBlocks  = 8
)

// Sparkline draws the last width values as one line of block glyphs; gaps
// are spaces and a zero is the lowest block. top ≤ 0 means the largest value.
func Sparkline(values []float64, width int, top float64) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	if top <= 0 {
		for _, v := range values {
			if !math.IsNaN(v) && v > top {
				top = v
			}
		}
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(values)))
	for _, v := range values {
		if math.IsNaN(v) {
			b.WriteByte(' ')
			continue
		}
		i := 0
		if top > 0 {
			i = int(math.Round(v / top * float64(nBlocks-1)))
		}
		i = min(max0(i), nBlocks-1)
		b.WriteRune(blockLow + rune(i))
	}
	return b.String()
}

// Marks draws a line of width cells with mark under every sample whose flag
// is set, aligned like Area (two samples per cell) when perCell is 2, or like
// Sparkline when perCell is 1.
func Marks(flags []bool, width, perCell int, mark string) string {
	if width <= 0 {
		return ""
	}
	if perCell < 1 {
		perCell = 1
	}
	if n := perCell * width; len(flags) > n {
		flags = flags[len(flags)-n:]
	}
	cells := make([]bool, width)
	off := perCell*width - len(flags)
	for i, f := range flags {
		if f {
			cells[(off+i)/perCell] = true
		}
	}
	var b strings.Builder
	for _, c := range cells {
		if c {
			b.WriteString(mark)
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func max0(i int) int {
	if i < 0 {
		return 0
	}
	return i
}
