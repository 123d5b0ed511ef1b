package history

import (
	"testing"
	"time"
)

func TestStep(t *testing.T) {
	for _, tt := range []struct {
		span    time.Duration
		columns int
		want    time.Duration
	}{
		{15 * time.Minute, 90, 10 * time.Second},
		{time.Hour, 60, time.Minute},
		{time.Hour, 100, time.Minute},
		{24 * time.Hour, 100, 15 * time.Minute},
		{7 * 24 * time.Hour, 100, 2 * time.Hour},
		{7 * 24 * time.Hour, 0, 24 * time.Hour},
		{time.Second, 500, time.Second},
	} {
		if got := Step(tt.span, tt.columns); got != tt.want {
			t.Errorf("Step(%v, %d) = %v, want %v", tt.span, tt.columns, got, tt.want)
		}
	}
}
