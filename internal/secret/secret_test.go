package secret

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "(none)"},
		{"ab_" + "0123456789012345678901234567890123456789" + "wxyz", "ab_…wxyz"},
		{"ab_short", "ab_…"},                // under 12 characters: no tail
		{"sk_live_0123456789abcd", "…abcd"}, // not ours: no prefix
		{"ab_ünïcødé_tøken_ÿz", "ab_…n_ÿz"}, // cut by rune, not byte
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFingerprintTellsTokensApartWithoutHoldingThem(t *testing.T) {
	a, b := "ab_"+strings.Repeat("a", 48), "ab_"+strings.Repeat("a", 47)+"b"
	fa, fb := Fingerprint(a), Fingerprint(b)
	if fa == fb || fa != Fingerprint(a) {
		t.Fatalf("fingerprints %s, %s: want stable and distinct", fa, fb)
	}
	if strings.Contains(fa, "aaaa") || len(fa) != len("sha256:")+16 {
		t.Fatalf("fingerprint %q", fa)
	}
}

func TestScrubAndRedactURL(t *testing.T) {
	tok := "ab_" + "0123456789012345678901234567890123456789" + "wxyz"
	if got := Scrub("bad key " + tok + ", again"); got != "bad key ab_…wxyz, again" {
		t.Errorf("Scrub = %q", got)
	}
	for _, tc := range []struct{ in, want string }{
		{"redis://u:pw@h:1/0", "redis://u:xxxxx@h:1/0"},
		{"redis://:pw@h:1/0?org=acme", "redis://:xxxxx@h:1/0?org=acme"},
		{"https://api.example/?key=" + tok, "https://api.example/?key=ab_…wxyz"},
		{"redis://u:p%zz@host", "redis://xxxxx@host"}, // does not parse: the userinfo goes
		{"", ""},
	} {
		if got := RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
