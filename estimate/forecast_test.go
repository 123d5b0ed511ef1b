package estimate

import (
	"strings"
	"testing"
	"time"
)

func TestForecastStatesItsBasis(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	dec := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	// A week at 212 credits and 40 writes a day, plus spending outside the
	// window on both sides that must not count.
	week := []Spend{
		{At: now.Add(-8 * day), Credits: 10_000, Writes: 900},
		{At: now, Credits: 10_000, Writes: 900}, // the window is [now-7d, now)
	}
	for i := range 7 {
		week = append(week, Spend{At: now.Add(-time.Duration(i)*day - time.Hour), Credits: 212, Writes: 40})
	}
	refund := append([]Spend{{At: now.Add(-time.Hour), Credits: -1_000}}, week...)
	long := now.Add(-30 * day)
	balance := func(rem float64, seen time.Time) *Level { return &Level{Remaining: rem, Seen: seen} }
	quota := func(rem float64, reset time.Time) *Level {
		return &Level{Remaining: rem, Limit: 1000, Seen: now, Reset: reset}
	}
	tests := []struct {
		name           string
		spends         []Spend
		since          time.Time
		credits, quota *Level
		want           string
		perDay         float64
	}{
		{"the issue's example", week, long, balance(1900, now), nil,
			"at the last 7 days' pace (212 credits/day) credits last ~9 days", 212},
		{"credits and quota", week, long, balance(1900, now), quota(360, dec(31)),
			"at the last 7 days' pace (212 credits/day, 40 writes/day) credits last ~9 days; monthly quota runs out on 12 Dec, before its reset on 31 Dec", 212},
		{"quota without a known reset", week, long, nil, quota(360, time.Time{}),
			"at the last 7 days' pace (212 credits/day, 40 writes/day) monthly quota runs out on 12 Dec", 212},
		{"quota resets first", week, long, nil, quota(900, dec(20)),
			"at the last 7 days' pace (212 credits/day, 40 writes/day) monthly quota lasts until its reset on 20 Dec", 212},
		{"quota reset since seen", week, long, nil, quota(10, dec(2)),
			"at the last 7 days' pace (212 credits/day, 40 writes/day) monthly quota reset since it was last seen", 212},
		{"a run-out next year names the year", week, long, nil, quota(1200, time.Time{}),
			"at the last 7 days' pace (212 credits/day, 40 writes/day) monthly quota runs out on 2 Jan 2027", 212},
		{"a stale balance counts from when it was seen", week, long, balance(1900, now.Add(-2*day)), nil,
			"at the last 7 days' pace (212 credits/day) credits last ~7 days", 212},
		{"hours", week, long, balance(100, now), nil,
			"at the last 7 days' pace (212 credits/day) credits last ~11 hours", 212},
		{"under an hour", week, long, balance(5, now), nil,
			"at the last 7 days' pace (212 credits/day) credits last under an hour", 212},
		{"already spent", week, long, balance(100, now.Add(-3*day)), nil,
			"at the last 7 days' pace (212 credits/day) credits are spent by now", 212},
		{"refunds lower the pace", refund, long, balance(1900, now), nil,
			"at the last 7 days' pace (69.14 credits/day) credits last ~27 days", 484.0 / 7},
		{"three days of history: the partial day is left out", week, now.Add(-3*day - 2*time.Hour), balance(1900, now), nil,
			"at the last 3 days' pace (212 credits/day) credits last ~9 days", 212},
		{"nothing spent", nil, long, balance(1900, now), quota(360, dec(31)),
			"at the last 7 days' pace (0 credits/day, 0 writes/day) credits do not run out; monthly quota lasts until its reset on 31 Dec", 0},
		{"nothing spent, no reset", nil, long, nil, quota(360, time.Time{}),
			"at the last 7 days' pace (0 credits/day, 0 writes/day) monthly quota does not run out", 0},
		{"one day", week, now.Add(-36 * time.Hour), balance(1900, now), nil, "not enough history: 1 day", 0},
		{"hours of history", week, now.Add(-5 * time.Hour), balance(1900, now), nil, "not enough history: under a day", 0},
		{"no history", week, time.Time{}, balance(1900, now), quota(360, dec(31)), "not enough history: none", 0},
		{"nothing observed", week, long, nil, nil, "no balance or quota observed", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ForecastAt(WeekPace, tt.spends, tt.since, tt.credits, tt.quota, now, time.UTC)
			if f.Basis != tt.want {
				t.Errorf("basis\n got %q\nwant %q", f.Basis, tt.want)
			}
			if d := f.CreditsPerUnit - tt.perDay; d > 1e-9 || d < -1e-9 {
				t.Errorf("credits/day = %v, want %v", f.CreditsPerUnit, tt.perDay)
			}
			if f.Enough != (f.Units > 0) {
				t.Errorf("enough = %v with %d pace days", f.Enough, f.Units)
			}
		})
	}
}

func TestForecastDatesInTheZone(t *testing.T) {
	// 23:30 UTC on 11 Dec is 12 Dec in Tokyo.
	now := time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC)
	spends := []Spend{{At: now.Add(-time.Hour), Writes: 70}}
	q := &Level{Remaining: 90, Seen: now}
	f := ForecastAt(WeekPace, spends, now.Add(-10*day), nil, q, now, time.FixedZone("JST", 9*3600))
	if want := "at the last 7 days' pace (0 credits/day, 10 writes/day) monthly quota runs out on 12 Dec"; f.Basis != want {
		t.Errorf("basis\n got %q\nwant %q", f.Basis, want)
	}
	if want := now.Add(9 * day); !f.Quota.RunsOut.Equal(want) {
		t.Errorf("runs out %v, want %v", f.Quota.RunsOut, want)
	}
}

// The dashboard's live forecast looks back an hour.
func TestForecastAtTheLastHoursPace(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	spends := []Spend{
		{At: now.Add(-2 * time.Hour), Credits: 1000, Writes: 100}, // before the hour
		{At: now.Add(-40 * time.Minute), Credits: 20, Writes: 3},
		{At: now.Add(-time.Minute), Credits: 10, Writes: 2},
	}
	credits := &Level{Remaining: 1900, Seen: now}
	quota := &Level{Remaining: 1000, Limit: 5000, Seen: now, Reset: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := ForecastAt(HourPace, spends, now.Add(-5*time.Hour), credits, quota, now, time.UTC)
	want := "at the last hour's pace (30 credits/hour, 5 writes/hour) credits last ~3 days; monthly quota runs out on 11 Dec, before its reset on 1 Jan 2027"
	if f.Basis != want || f.Units != 1 || f.CreditsPerUnit != 30 {
		t.Errorf("basis\n got %q (%d units, %v/unit)\nwant %q", f.Basis, f.Units, f.CreditsPerUnit, want)
	}
	if at := now.Add(200 * time.Hour); !f.Quota.RunsOut.Equal(at) {
		t.Errorf("quota runs out %v, want %v", f.Quota.RunsOut, at)
	}
	f = ForecastAt(HourPace, spends, now.Add(-30*time.Minute), credits, quota, now, time.UTC)
	if want := "not enough history: under an hour"; f.Basis != want {
		t.Errorf("basis %q, want %q", f.Basis, want)
	}
}

// The gauges show each limit's outlook and pace apart, in the words of
// the Basis (the longest), then shorter ones that leave out the limit's
// name and the rate.
func TestForecastWordsPerLimit(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	spends := []Spend{{At: now.Add(-40 * time.Minute), Credits: 30, Writes: 5}}
	credits := &Level{Remaining: 1900, Seen: now}
	quota := &Level{Remaining: 1000, Limit: 5000, Seen: now, Reset: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := ForecastAt(HourPace, spends, now.Add(-5*time.Hour), credits, quota, now, time.UTC)
	for _, c := range []struct {
		got, want []string
	}{
		{f.Credits.Words, []string{"credits last ~3 days", "last ~3 days"}},
		{f.Credits.PaceWords, []string{"at the last hour's pace (30 credits/hour)", "at the last hour's pace (30/hour)", "at the last hour's pace"}},
		{f.Quota.Words, []string{"monthly quota runs out on 11 Dec, before its reset on 1 Jan 2027", "runs out on 11 Dec, before its reset", "runs out on 11 Dec"}},
		{f.Quota.PaceWords, []string{"at the last hour's pace (5 writes/hour)", "at the last hour's pace (5/hour)", "at the last hour's pace"}},
	} {
		if strings.Join(c.got, "|") != strings.Join(c.want, "|") {
			t.Errorf("words\n got %q\nwant %q", c.got, c.want)
		}
	}
	if !strings.HasSuffix(f.Basis, f.Credits.Words[0]+"; "+f.Quota.Words[0]) {
		t.Errorf("the basis %q is not made of the outlooks' words", f.Basis)
	}
	f = ForecastAt(HourPace, spends, now.Add(-30*time.Minute), credits, quota, now, time.UTC)
	if f.Credits.Words != nil || f.Quota.PaceWords != nil {
		t.Errorf("words without enough history: %q %q", f.Credits.Words, f.Quota.PaceWords)
	}
}
