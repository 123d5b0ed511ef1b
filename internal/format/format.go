// Package format is the one way abtop writes durations, counts and credit
// amounts for people, in every command and in the dashboard, so a wait
// reads "3m 12s" in the header, the job table, `status` and an error alike.
// It is a leaf: it imports only the standard library.
package format

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration formats d the way a person reads a countdown: "350ms", "1.2s",
// "45s", "3m 12s", "4h 05m", "3d 4h". Below ten seconds a fraction is kept
// (to a tenth); above, it would only flicker. Negative durations are "0s".
func Duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < 10*time.Second && d.Round(100*time.Millisecond)%time.Second != 0:
		return strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', 1, 64) + "s"
	case d < time.Minute-time.Second/2:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour-time.Second/2:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm %02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 24*time.Hour-time.Minute/2:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh %02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		d = d.Round(time.Hour)
		return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	}
}

// Age formats a short age for table columns: "2s", "4m", "3h", "2d"
// (truncated: a job is not a minute old until it is).
func Age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	default:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
}

// Count formats n with thousands separators: 25000 → "25,000".
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

// Number formats an amount (credits): thousands separators and at most two
// decimals, trailing zeros dropped: 1250.5 → "1,250.5", 0.25 → "0.25".
func Number(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "?"
	}
	if math.Abs(f) >= 1e15 {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	s := strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	n, _ := strconv.ParseInt(whole, 10, 64)
	out := sign + Count(n)
	if hasFrac {
		out += "." + frac
	}
	if out == "-0" {
		return "0"
	}
	return out
}

// Credits is an amount of credits with the noun agreeing with the number
// shown: "1 credit", "0.5 credits", "20 credits".
func Credits(f float64) string {
	s := Number(f)
	if s == "1" {
		return s + " credit"
	}
	return s + " credits"
}

// Plural is one or many by n: Plural(3, "submitter", "submitters").
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Quantity is n and its noun: "1 job", "3 jobs".
func Quantity(n int, one, many string) string {
	return strconv.Itoa(n) + " " + Plural(n, one, many)
}

// Bytes is a size in decimal units, as file managers show it: "512 B",
// "1.2 kB", "18.2 MB", "3.1 GB" (one decimal below 100 of a unit).
// Negative sizes are "0 B".
func Bytes(n int64) string {
	if n < 1000 {
		return strconv.FormatInt(max(n, 0), 10) + " B"
	}
	f := float64(n)
	units := []string{"kB", "MB", "GB", "TB", "PB", "EB"}
	i := -1
	for f >= 999.5 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if f < 99.95 {
		return strconv.FormatFloat(f, 'f', 1, 64) + " " + units[i]
	}
	return strconv.FormatFloat(f, 'f', 0, 64) + " " + units[i]
}
