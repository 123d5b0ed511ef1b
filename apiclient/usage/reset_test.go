package usage

import (
	"strconv"
	"testing"
	"time"
)

// ref is the server clock of the test responses: Date: Tue, 24 Nov 2026 19:00:00 GMT.
var ref = time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC)

func unix(offset float64) string {
	return strconv.FormatFloat(float64(ref.Unix())+offset, 'f', -1, 64)
}

func TestParseReset(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  time.Duration
		ok    bool
	}{
		{"rfc9110/IMF-fixdate (seed 000 X-RateLimit-Reset)", "Tue, 24 Nov 2026 19:00:30 GMT", 30 * time.Second, true},
		{"rfc9110/obsolete RFC 850 date", "Tuesday, 24-Nov-26 19:00:30 GMT", 30 * time.Second, true},
		{"rfc9110/asctime date", "Tue Nov 24 19:00:30 2026", 30 * time.Second, true},
		{"rfc1123 with numeric zone (lenient)", "Tue, 24 Nov 2026 20:00:30 +0100", 30 * time.Second, true},
		{"seed001/unix seconds", unix(12), 12 * time.Second, true},
		{"unix seconds, fractional", unix(12.5), 12500 * time.Millisecond, true},
		{"unix milliseconds", strconv.FormatInt(ref.UnixMilli()+1500, 10), 1500 * time.Millisecond, true},
		{"ietf draft/RateLimit-Reset delta seconds", "30", 30 * time.Second, true},
		{"delta seconds zero", "0", 0, true},
		{"discord/X-RateLimit-Reset-After decimal seconds", "1.25", 1250 * time.Millisecond, true},
		{"openai/x-ratelimit-reset-requests 6m0s", "6m0s", 6 * time.Minute, true},
		{"openai/x-ratelimit-reset-tokens 20ms", "20ms", 20 * time.Millisecond, true},
		{"openai/x-ratelimit-reset-requests 1h2m3s", "1h2m3s", time.Hour + 2*time.Minute + 3*time.Second, true},
		{"anthropic/anthropic-ratelimit-requests-reset RFC 3339", "2026-11-24T19:01:00Z", time.Minute, true},
		{"rfc3339 with fraction and offset", "2026-11-24T20:00:01.5+01:00", 1500 * time.Millisecond, true},
		{"quoted value", `"30"`, 30 * time.Second, true},
		{"whitespace around value", "  30 ", 30 * time.Second, true},
		{"past http-date counts as 0", "Tue, 24 Nov 2026 18:59:00 GMT", 0, true},
		{"past unix seconds counts as 0", unix(-60), 0, true},
		{"negative delta", "-5", 0, false},
		{"sentinel -1 (Azure OpenAI)", "-1", 0, false},
		{"negative go duration", "-5s", 0, false},
		{"NaN", "NaN", 0, false},
		{"Inf", "+Inf", 0, false},
		{"float overflow", "1e400", 0, false},
		{"huge integer", "99999999999999999999999", 0, false},
		{"unix seconds absurdly far ahead", unix(10 * 365 * 24 * 3600), 0, false},
		{"delta absurdly long", "900000000", 0, false},
		{"garbage word", "soon", 0, false},
		{"empty", "", 0, false},
		{"empty quotes", `""`, 0, false},
		{"date without zone is not RFC 3339", "2026-11-24 19:01:00", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseReset(tt.value, ref)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseReset(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.ok)
			}
			if got < 0 {
				t.Errorf("negative duration %v", got)
			}
		})
	}
}

func TestParseResetAbsoluteNeedsReference(t *testing.T) {
	if d, ok := ParseReset("Tue, 24 Nov 2026 19:00:30 GMT", time.Time{}); ok || d != 0 {
		t.Errorf("absolute time without a reference clock = %v, %v; want 0, false", d, ok)
	}
	if d, ok := ParseReset("30", time.Time{}); !ok || d != 30*time.Second {
		t.Errorf("delta without a reference clock = %v, %v; want 30s, true", d, ok)
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   time.Duration
		ok     bool
	}{
		{"rfc9110/delta-seconds", []string{"120"}, 2 * time.Minute, true},
		{"seed000/429 Retry-After seconds", []string{"12"}, 12 * time.Second, true},
		{"decimal seconds", []string{"1.5"}, 1500 * time.Millisecond, true},
		{"rfc9110/HTTP-date", []string{"Tue, 24 Nov 2026 19:01:00 GMT"}, time.Minute, true},
		{"rfc9110/asctime HTTP-date", []string{"Tue Nov 24 19:01:00 2026"}, time.Minute, true},
		{"duplicates: the longest wins", []string{"5", "30", "10"}, 30 * time.Second, true},
		{"folded duplicates: the longest wins", []string{"5, 30"}, 30 * time.Second, true},
		{"date and seconds: the longest wins", []string{"Tue, 24 Nov 2026 19:01:00 GMT", "5"}, time.Minute, true},
		{"past date counts as 0", []string{"Tue, 24 Nov 2026 18:00:00 GMT"}, 0, true},
		{"garbage next to a valid value", []string{"soon", "7"}, 7 * time.Second, true},
		{"negative only", []string{"-3"}, 0, false},
		{"sentinel only", []string{"-1"}, 0, false},
		{"garbage only", []string{"later please"}, 0, false},
		{"none", nil, 0, false},
		{"empty value", []string{""}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseRetryAfter(tt.values, ref)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.values, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseResetEpochBelow1e9WithOldClock(t *testing.T) {
	// testing/synctest's fake clock starts at 2000-01-01 (946684800 s): a
	// Unix reset from such a clock must still read as an instant.
	ref := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	got, ok := ParseReset("946684830", ref)
	if !ok || got != 30*time.Second {
		t.Fatalf("ParseReset(946684830) = %v, %v; want 30s, true", got, ok)
	}
	// A plain delta is still a delta.
	if got, ok := ParseReset("30", ref); !ok || got != 30*time.Second {
		t.Fatalf("ParseReset(30) = %v, %v; want 30s", got, ok)
	}
}
