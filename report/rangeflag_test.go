package report

import (
	"testing"
	"time"
)

func TestParseRange(t *testing.T) {
	now := time.Date(2026, 11, 9, 15, 0, 0, 0, paris)
	tests := []struct {
		since, from, to string
		want            Range
		err             bool
	}{
		{"", "", "", Range{now.AddDate(0, 0, -7), now}, false},
		{"7d", "", "", Range{now.AddDate(0, 0, -7), now}, false},
		{"2w", "", "", Range{now.AddDate(0, 0, -14), now}, false},
		{"36h", "", "", Range{now.Add(-36 * time.Hour), now}, false},
		{"90m", "", "", Range{now.Add(-90 * time.Minute), now}, false},
		{"", "2026-11-01", "", Range{time.Date(2026, 11, 1, 0, 0, 0, 0, paris), now}, false},
		{"", "2026-11-01", "2026-11-03", Range{time.Date(2026, 11, 1, 0, 0, 0, 0, paris), time.Date(2026, 11, 4, 0, 0, 0, 0, paris)}, false},
		{"", "2026-11-01T09:30", "2026-11-01T10:00:00Z", Range{time.Date(2026, 11, 1, 9, 30, 0, 0, paris), time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)}, false},
		{"7d", "2026-11-01", "", Range{}, true},
		{"", "", "2026-11-01", Range{}, true},
		{"", "2026-11-05", "2026-11-01", Range{}, true},
		{"-3d", "", "", Range{}, true},
		{"0h", "", "", Range{}, true},
		{"7dd", "", "", Range{}, true},
		{"soon", "", "", Range{}, true},
		{"99999d", "", "", Range{}, true},
		{"", "1/11/2026", "", Range{}, true},
		{"", "2000-01-01", "", Range{}, true}, // longer than ten years
	}
	for _, tt := range tests {
		got, err := ParseRange(tt.since, tt.from, tt.to, now, paris)
		if (err != nil) != tt.err {
			t.Errorf("ParseRange(%q, %q, %q) error = %v, want error %v", tt.since, tt.from, tt.to, err, tt.err)
			continue
		}
		if !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) {
			t.Errorf("ParseRange(%q, %q, %q) = %v … %v, want %v … %v", tt.since, tt.from, tt.to, got.From, got.To, tt.want.From, tt.want.To)
		}
	}
}

func TestParseBy(t *testing.T) {
	for in, want := range map[string]By{"": ByDay, "day": ByDay, "model": ByModel, "profile": ByProfile, "status": ByStatus} {
		if got, err := ParseBy(in); err != nil || got != want {
			t.Errorf("ParseBy(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseBy("org"); err == nil {
		t.Error("ParseBy accepted org")
	}
}
