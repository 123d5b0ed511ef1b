package cadence

import (
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	for _, tc := range []struct {
		frac float64
		want time.Duration
	}{{-1, 5 * time.Second}, {1, 5 * time.Second}, {0.25, 5 * time.Second}, {0.24, 10 * time.Second},
		{0.10, 10 * time.Second}, {0.09, 20 * time.Second}, {0, 20 * time.Second}} {
		if got := Next(5*time.Second, tc.frac); got != tc.want {
			t.Errorf("Next(5s, %g) = %s, want %s", tc.frac, got, tc.want)
		}
	}
}
