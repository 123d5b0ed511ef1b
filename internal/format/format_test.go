package format

import (
	"math"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0s"}, {0, "0s"}, {350 * time.Millisecond, "350ms"},
		{1200 * time.Millisecond, "1.2s"}, {2 * time.Second, "2s"}, {9960 * time.Millisecond, "10s"},
		{12 * time.Second, "12s"}, {12500 * time.Millisecond, "13s"}, {45 * time.Second, "45s"},
		{59600 * time.Millisecond, "1m 00s"}, {245 * time.Second, "4m 05s"},
		{3*time.Minute + 12*time.Second, "3m 12s"}, {time.Hour - 400*time.Millisecond, "1h 00m"},
		{3*time.Hour + 2*time.Minute, "3h 02m"}, {4*time.Hour + 5*time.Minute, "4h 05m"},
		{24*time.Hour - 20*time.Second, "1d 0h"}, {76 * time.Hour, "3d 4h"},
		{6*24*time.Hour + 19*time.Hour, "6d 19h"},
	} {
		if got := Duration(tc.d); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestAge(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{-time.Second, "0s"}, {59 * time.Second, "59s"}, {119 * time.Second, "1m"}, {3 * time.Hour, "3h"}, {50 * time.Hour, "2d"}} {
		if got := Age(tc.d); got != tc.want {
			t.Errorf("Age(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {25000, "25,000"}, {-1000, "-1,000"}, {-1234567, "-1,234,567"}} {
		if got := Count(tc.n); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{1250.5, "1,250.5"}, {0, "0"}, {3.5, "3.5"}, {-12.25, "-12.25"}, {1234567, "1,234,567"},
		{0.1 + 0.2, "0.3"}, {0.25, "0.25"}, {1.996, "2"}, {-0.001, "0"}, {math.NaN(), "?"}, {math.Inf(1), "?"},
	} {
		if got := Number(tc.f); got != tc.want {
			t.Errorf("Number(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

func TestCreditsAgreeInNumber(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{{1, "1 credit"}, {0.5, "0.5 credits"}, {20, "20 credits"}, {0, "0 credits"}, {1.001, "1 credit"}, {1.06, "1.06 credits"}} {
		if got := Credits(c.in); got != c.want {
			t.Errorf("Credits(%v) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Quantity(1, "job", "jobs") + ", " + Quantity(2, "job", "jobs"); got != "1 job, 2 jobs" {
		t.Error(got)
	}
}

func TestBytes(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{
		{-5, "0 B"}, {0, "0 B"}, {999, "999 B"}, {1000, "1.0 kB"}, {1234, "1.2 kB"},
		{99_949, "99.9 kB"}, {99_950, "100 kB"}, {999_499, "999 kB"}, {999_500, "1.0 MB"},
		{18_200_000, "18.2 MB"}, {3_100_000_000, "3.1 GB"}, {1 << 62, "4.6 EB"},
	} {
		if got := Bytes(c.in); got != c.want {
			t.Errorf("Bytes(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}
