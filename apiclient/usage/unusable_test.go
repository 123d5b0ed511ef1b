package usage

import (
	"strings"
	"testing"
	"time"
)

// Counts and waits refuse the same numbers with the same words: the -1
// "unknown" sentinel some servers send is named as such, not as a
// negative number.
func TestUnusableNumbersSayWhy(t *testing.T) {
	ref := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ raw, want string }{
		{"-1", `is the "unknown" sentinel`},
		{"-1.0", `is the "unknown" sentinel`},
		{"-2", "is negative; ignored"},
		{"-0.5", "is negative; ignored"},
		{"NaN", "not a"},
	} {
		_, countMsg, countOK := parseCountValue(tt.raw)
		_, waitMsg, waitOK := parseInstant(tt.raw, ref)
		if countOK || !strings.Contains(countMsg, tt.want) {
			t.Errorf("count %q: ok %v, %q; want it refused: %q", tt.raw, countOK, countMsg, tt.want)
		}
		if waitOK || !strings.Contains(waitMsg, tt.want) {
			t.Errorf("wait %q: ok %v, %q; want it refused: %q", tt.raw, waitOK, waitMsg, tt.want)
		}
	}
	if n, msg, ok := parseCountValue("7"); !ok || n != 7 || msg != "" {
		t.Errorf("count 7: %d %q %v", n, msg, ok)
	}
}
