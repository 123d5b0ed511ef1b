package main

import (
	"testing"
	"time"
)

// Issue 11 item 8: "58/300 sent · ETA 16s" for four minutes of work, and
// "ETA 0s · waiting: paused: credits".
func TestProgressETA(t *testing.T) {
	for _, tc := range []struct {
		name   string
		paused bool
		left   int
		rate   float64
		pace   time.Duration
		paceOK bool
		want   string
	}{
		{"burst, then the window's pace", false, 242, 58, 4*time.Minute + 10*time.Second, true, "ETA ~4m 10s"},
		{"slower than the pace", false, 10, 0.5, 5 * time.Second, true, "ETA ~20s"},
		{"pace unknown", false, 10, 2, 0, false, "ETA ~5s"},
		{"nothing known", false, 10, 0, 0, false, "ETA —"},
		{"paused", true, 242, 58, time.Minute, true, ""},
		{"done", false, 0, 58, 0, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := etaText(tc.paused, tc.left, tc.rate, tc.pace, tc.paceOK); got != tc.want {
				t.Errorf("etaText = %q, want %q", got, tc.want)
			}
		})
	}
}
